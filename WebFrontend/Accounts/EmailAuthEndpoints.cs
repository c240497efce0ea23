using OrbitGrains.WebFrontend.Hosting;
using OrbitGrains.WebFrontend.Hosting.Access;
using OrbitGrains.WebFrontend.Hosting.Bodies;
using System.Text.Json.Serialization;
using OrbitGrains.Accounts;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>
/// Email and password sign-up and sign-in for the cloud family (`/api/auth`, JWT sessions) and the agent family
/// (`/v1/auth`, user tokens). Both create and find the same users as every other family.
/// </summary>
public static class EmailAuthEndpoints
{
    public static IEndpointRouteBuilder MapEmailAuth(this IEndpointRouteBuilder app)
    {
        var cloud = app.MapGroup("/api/auth").WithTags("Accounts").DisableAntiforgery().WithRefusals(RefusalStyle.Cloud);
        cloud.MapPost("/signup", CloudSignupAsync).AllowAnonymous()
            .WithSummary("Create an email account (`invite` when REGISTRATION=invite); answers a session").Produces<CloudTokens>(StatusCodes.Status201Created);
        cloud.MapPost("/login", CloudLoginAsync).AllowAnonymous().WithSummary("Sign in by email and password; throttled after failures").Produces<CloudTokens>();
        cloud.MapPost("/refresh", CloudRefreshAsync).AllowAnonymous().WithSummary("Rotate a refresh token; the old session ends").Produces<CloudTokens>();
        cloud.MapGet("/me", CloudMeAsync).RequireAuthorization(OrbitPolicies.Member).WithSummary("The signed-in user").Produces<CloudMe>();
        cloud.MapPost("/logout", CloudLogoutAsync).RequireAuthorization(OrbitPolicies.Member)
            .WithSummary("End the session of the bearer token").Produces(StatusCodes.Status204NoContent);

        var agents = app.MapGroup("/v1/auth").WithTags("Accounts").AllowAnonymous().DisableAntiforgery();
        agents.MapPost("/signup", AgentSignupAsync).WithSummary("Create an email account; answers its first user token").Produces<AgentTokenResponse>(StatusCodes.Status201Created);
        agents.MapPost("/login", AgentLoginAsync).WithSummary("Sign in by email and password; answers a new user token").Produces<AgentTokenResponse>();
        return app;
    }

    private static async Task<IResult> CloudSignupAsync(
        HttpContext context, Body<EmailCredentialsRequest> body, AccountRegistry registry, PasswordHashing passwords, WebTokenService tokens, AttemptThrottle throttle)
    {
        var (user, problem) = await SignUpAsync(context, body.Value, registry, passwords, throttle,
            "Password must be at least 8 characters", StatusCodes.Status400BadRequest, "Email already registered");
        return problem ?? Results.Json(await CloudTokensAsync(tokens, user!), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> CloudLoginAsync(
        HttpContext context, Body<EmailCredentialsRequest> body, AccountRegistry registry, PasswordHashing passwords, WebTokenService tokens, AttemptThrottle throttle)
    {
        var (user, problem) = await SignInAsync(context, body.Value, registry, passwords, throttle, "Incorrect email or password");
        return problem ?? Results.Json(await CloudTokensAsync(tokens, user!));
    }

    private static async Task<IResult> CloudRefreshAsync(HttpContext context, Body<CloudRefreshRequest> body, WebTokenService tokens)
    {
        if (body.Value.RefreshToken.Trimmed() is not { } refreshToken)
        {
            return DetailErrors.Error(StatusCodes.Status422UnprocessableEntity, "refresh_token is required");
        }

        return await tokens.RefreshAsync(refreshToken) is { } session
            ? Results.Json(new CloudTokens(session.Token, session.RefreshToken, "bearer"))
            : DetailErrors.Unauthorized(context, "Invalid or expired refresh token");
    }

    private static IResult CloudMeAsync(HttpContext context)
    {
        var user = context.Account() ?? throw new InvalidOperationException("The member policy admits people only.");
        return Results.Json(new CloudMe(user.Id, EmailAddresses.Of(user) ?? user.Name, user.CreatedAt));
    }

    private static async Task<IResult> CloudLogoutAsync(HttpContext context, WebTokenService tokens)
    {
        if (context.RequiredUser() is { Kind: OrbitAuthSchemes.WebSession, FamilyId: { } familyId })
        {
            await tokens.RevokeAsync(familyId);
        }

        return Results.NoContent();
    }

    private static async Task<IResult> AgentSignupAsync(
        HttpContext context, Body<EmailCredentialsRequest> body, AccountRegistry registry, PasswordHashing passwords, UserTokenService userTokens, AttemptThrottle throttle)
    {
        var (user, problem) = await SignUpAsync(context, body.Value, registry, passwords, throttle,
            "Password must be at least 8 characters.", StatusCodes.Status409Conflict, "Email already registered.");
        return problem ?? Results.Json(AgentToken(await userTokens.IssueAsync(user!)), statusCode: StatusCodes.Status201Created);
    }

    /// <summary>The sign-up both families share; only their messages and the duplicate's status differ.</summary>
    private static async Task<(UserRecord? User, IResult? Problem)> SignUpAsync(HttpContext context, EmailCredentialsRequest body, AccountRegistry registry,
        PasswordHashing passwords, AttemptThrottle throttle, string passwordMessage, int duplicateStatus, string duplicateMessage)
    {
        var (credentials, problem) = ReadCredentials(body, passwordMessage);
        if (problem is not null)
        {
            return (null, problem);
        }

        if ((await throttle.CreationAsync(context)).Refusal is { } wait)
        {
            return (null, DetailErrors.Error(StatusCodes.Status429TooManyRequests, wait));
        }

        var signUp = await registry.SignUpAsync(
            AccountRegistry.NewUserId(), credentials!.Email, credentials.Email, passwords.Hash(credentials.Password), AccountRegistry.InviteHash(credentials.Invite));
        return signUp switch
        {
            { User: { } user } => (user, null),
            { PolicyMessage: { } refused } => (null, DetailErrors.Error(StatusCodes.Status403Forbidden, refused)),
            _ => (null, DetailErrors.Error(duplicateStatus, duplicateMessage)),
        };
    }

    private static async Task<IResult> AgentLoginAsync(
        HttpContext context, Body<EmailCredentialsRequest> body, AccountRegistry registry, PasswordHashing passwords, UserTokenService userTokens, AttemptThrottle throttle)
    {
        var (user, problem) = await SignInAsync(context, body.Value, registry, passwords, throttle, "Invalid email or password.");
        return problem ?? Results.Json(AgentToken(await userTokens.IssueAsync(user!)));
    }

    private static (Credentials? Credentials, IResult? Problem) ReadCredentials(EmailCredentialsRequest body, string passwordMessage)
    {
        var (email, characters) = body.Email.Trimmed() is { } typed ? EmailAddresses.ForSignUp(typed) : (null, null);
        if (characters is not null)
        {
            return (null, DetailErrors.Error(StatusCodes.Status400BadRequest, characters));
        }

        if (email is null)
        {
            return (null, DetailErrors.Error(StatusCodes.Status422UnprocessableEntity, "A valid email address is required"));
        }

        var password = body.Password.Trimmed();
        if (password is not { Length: >= PasswordHashing.MinLength and <= PasswordHashing.MaxLength })
        {
            return (null, DetailErrors.Error(StatusCodes.Status400BadRequest, passwordMessage));
        }

        return (new Credentials(email, password, body.Invite.Trimmed()), null);
    }

    private static async Task<(UserRecord? User, IResult? Problem)> SignInAsync(
        HttpContext context, EmailCredentialsRequest body, AccountRegistry registry, PasswordHashing passwords, AttemptThrottle throttle, string refusal)
    {
        var email = EmailAddresses.Normalise(body.Email.Trimmed());
        var password = body.Password.Trimmed();
        if (email is null || password is null)
        {
            return (null, DetailErrors.Error(StatusCodes.Status422UnprocessableEntity, "email and password are required"));
        }

        var attempt = await throttle.SignInAsync(email, context);
        if (attempt.Refusal is { } wait)
        {
            return (null, DetailErrors.Error(StatusCodes.Status429TooManyRequests, wait));
        }

        // Accounts without a password (name-only or passkey) cannot sign in here.
        if (await registry.FindAsync(email) is not { PasswordHash: { } hash, Disabled: false } user || !passwords.Verify(hash, password))
        {
            return (null, DetailErrors.Unauthorized(context, refusal));
        }

        await attempt.SucceededAsync();
        return (user, null);
    }

    private static async Task<CloudTokens> CloudTokensAsync(WebTokenService tokens, UserRecord user)
    {
        var session = await tokens.StartSessionAsync(user);
        return new CloudTokens(session.Token, session.RefreshToken, "bearer");
    }

    private static AgentTokenResponse AgentToken(IssuedUserToken issued) =>
        new(issued.User.Id, EmailAddresses.Of(issued.User), issued.Token, issued.IssuedAt);

    private sealed record Credentials(string Email, string Password, string? Invite);
}

public sealed record CloudTokens(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string RefreshToken,
    [property: JsonPropertyName("token_type")] string TokenType);

public sealed record CloudMe(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt);

public sealed record AgentTokenResponse(string UserId, string? Email, string UserToken, DateTimeOffset IssuedAt);
