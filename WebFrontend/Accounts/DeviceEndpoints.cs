using OrbitGrains.Accounts;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// The device-code flow an Anchor uses to sign in: it asks for a code, a signed-in person approves the short user
/// code in the web client, and the Anchor's polling then receives its own access and refresh tokens once.
/// </summary>
public static class DeviceEndpoints
{
    private const int DeviceCodeBytes = 32;
    private const int MaxUserCodeAttempts = 8;
    private const string CodeNotFound = "Code expired or not found.";

    public static RouteGroupBuilder MapDeviceFlow(this RouteGroupBuilder auth)
    {
        var device = auth.MapGroup("/device");
        device.MapPost("/code", StartAsync).AllowAnonymous()
            .WithSummary("Start a device sign-in: a device code for the Anchor and a user code for the person (limited per address)")
            .Produces<DeviceCodeResponse>();
        device.MapPost("/authorise", AuthoriseAsync).RequireAuthorization(OrbitPolicies.Member)
            .WithSummary("Approve a user code for the signed-in user; wrong codes are limited per user and per address (RFC 8628 §5.1)")
            .Produces<OkResponse>();
        device.MapPost("/token", PollAsync).AllowAnonymous()
            .WithSummary("Poll a device code: pending, expired, or authorised with anchor tokens (given once)")
            .Produces<DeviceAuthorisedResponse>();
        device.MapPost("/refresh", RefreshAsync).AllowAnonymous()
            .WithSummary("Spend an anchor refresh token for a new anchor token pair")
            .Produces<AnchorTokensResponse>();
        return auth;
    }

    private static async Task<IResult> StartAsync(HttpRequest request, IGrainFactory grains, AccountsOptions options, TimeProvider clock, AttemptThrottle throttle)
    {
        if ((await throttle.CreationAsync(request.HttpContext)).Refusal is { } wait)
        {
            return AccountErrors.Error(StatusCodes.Status429TooManyRequests, wait);
        }

        var deviceCode = TokenHash.NewToken(DeviceCodeBytes);
        var deviceHash = TokenHash.Of(deviceCode);
        var expiresAt = clock.GetUtcNow() + options.DeviceCodeTtl;
        string? userCode = null;
        for (var attempt = 0; attempt < MaxUserCodeAttempts && userCode is null; attempt++)
        {
            var candidate = UserCodes.New();
            if (await grains.GetGrain<IUserCodeGrain>(candidate).Bind(deviceHash, expiresAt))
            {
                userCode = candidate;
            }
        }

        if (userCode is null)
        {
            // 32^8 codes: only an attack filling the space gets here.
            return AccountErrors.Error(StatusCodes.Status503ServiceUnavailable, "No user code is free right now. Try again.");
        }

        await grains.GetGrain<IDeviceCodeGrain>(deviceHash).Start(userCode, expiresAt);
        var verificationUrl = options.DeviceVerificationUrl?.ToString() ?? $"{request.Scheme}://{request.Host}/device";
        return Results.Json(new DeviceCodeResponse(
            deviceCode, userCode, verificationUrl, (int)options.DeviceCodeTtl.TotalSeconds, (int)options.DevicePollInterval.TotalSeconds));
    }

    private static async Task<IResult> AuthoriseAsync(HttpContext context, Body<UserCodeRequest> body, IGrainFactory grains, AttemptThrottle throttle)
    {
        var user = context.RequiredUser();
        if (body.Value.UserCode.Trimmed() is not { } typed)
        {
            return AccountErrors.BadRequest("userCode is required.");
        }

        // A slot per guess, taken before the code is looked up: a signed-in caller cannot sweep the code space.
        var attempt = await throttle.UserCodeAsync(user.Id!, context);
        if (attempt.Refusal is { } refusal)
        {
            return AccountErrors.Error(StatusCodes.Status429TooManyRequests, refusal);
        }

        var userCode = UserCodes.Normalise(typed);
        if (userCode.Length > UserCodes.MaxLength || !await grains.GetGrain<IUserCodeGrain>(userCode).Authorise(user.Id!))
        {
            return AccountErrors.BadRequest(CodeNotFound);
        }

        await attempt.SucceededAsync();
        return Results.Json(new OkResponse(true));
    }

    private static async Task<IResult> PollAsync(Body<DeviceCodeRequest> body, IGrainFactory grains, AnchorTokenService anchors)
    {
        if (body.Value.DeviceCode.Trimmed() is not { } deviceCode)
        {
            return AccountErrors.BadRequest("deviceCode is required.");
        }

        var poll = deviceCode.Length > WebTokenService.MaxTokenLength
            ? new DevicePoll(DeviceCodeStatus.Expired, null)
            : await grains.GetGrain<IDeviceCodeGrain>(TokenHash.Of(deviceCode)).Poll();
        switch (poll)
        {
            case { Status: DeviceCodeStatus.Authorised, UserId: { } userId } when await grains.GetGrain<IUserGrain>(userId).Get() is not { Disabled: false }:
                // Disabled since the code was approved: tokens issued now would never work (a disable ends every sign-in
                // made before the account is enabled again), so the Anchor hears what it hears of a code gone stale.
                return Results.Json(new DeviceStatusResponse("expired"));
            case { Status: DeviceCodeStatus.Authorised, UserId: { } userId }:
                var pair = await anchors.IssueAsync(userId);
                return Results.Json(new DeviceAuthorisedResponse("authorised", userId, pair.AccessToken, pair.RefreshToken, pair.AccessExpiresIn));
            case { Status: DeviceCodeStatus.Pending }:
                return Results.Json(new DeviceStatusResponse("pending"));
            default:
                return Results.Json(new DeviceStatusResponse("expired"));
        }
    }

    private static async Task<IResult> RefreshAsync(Body<RefreshTokenRequest> body, AnchorTokenService anchors)
    {
        if (body.Value.RefreshToken.Trimmed() is not { } refreshToken)
        {
            return AccountErrors.BadRequest("refreshToken is required.");
        }

        var pair = await anchors.RefreshAsync(refreshToken);
        return pair is null
            ? AccountErrors.Unauthorised("Invalid or expired refresh token.")
            : Results.Json(new AnchorTokensResponse(pair.AccessToken, pair.RefreshToken, pair.AccessExpiresIn, pair.UserId));
    }
}
