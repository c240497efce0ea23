using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>Name-based sign-up and sign-in (AUTH_MODE=basic), each with an optional password (spec orbit.md).</summary>
public static class BasicAuthEndpoints
{
    public const int MaxDisplayNameLength = 128;
    private const string Disabled = "Basic auth mode is disabled.";
    private const string InvalidCredentials = "Invalid credentials.";

    public static RouteGroupBuilder MapBasicAuth(this RouteGroupBuilder auth)
    {
        auth.MapPost("/register/basic", RegisterAsync).AllowAnonymous()
            .WithSummary("Create an account by name (optional password; `invite` when REGISTRATION=invite) and sign in")
            .Produces<SessionResponse>();
        auth.MapPost("/login/basic", LoginAsync).AllowAnonymous()
            .WithSummary("Sign in by name (exact, then case-insensitive); throttled after repeated failures")
            .Produces<SessionResponse>();
        return auth;
    }

    private static async Task<IResult> RegisterAsync(
        HttpContext context, Body<RegisterBasicRequest> body, AccountsOptions options, AccountRegistry accounts, PasswordHashing passwords, WebTokenService tokens, AttemptThrottle throttle)
    {
        if (options.Mode != AuthMode.Basic)
        {
            return AccountErrors.BadRequest(Disabled);
        }

        var request = body.Value;
        if (request.Name.Trimmed() is not { } typed)
        {
            return AccountErrors.BadRequest("Name is required.");
        }

        var (name, nameProblem) = UserNames.Normalise(typed);
        if (nameProblem is not null)
        {
            return AccountErrors.BadRequest(nameProblem);
        }

        var displayName = request.DisplayName.Trimmed() ?? name!;
        if (UserNames.DisplayNameProblem(displayName, MaxDisplayNameLength) is { } displayProblem)
        {
            return AccountErrors.BadRequest(displayProblem);
        }

        var password = request.Password.Trimmed();
        if (password is { Length: < PasswordHashing.MinLength or > PasswordHashing.MaxLength })
        {
            return AccountErrors.BadRequest($"Password must be {PasswordHashing.MinLength} to {PasswordHashing.MaxLength} characters.");
        }

        if ((await throttle.CreationAsync(context)).Refusal is { } wait)
        {
            return AccountErrors.Error(StatusCodes.Status429TooManyRequests, wait);
        }

        var signUp = await accounts.SignUpAsync(AccountRegistry.NewUserId(), name!, displayName,
            password is null ? null : passwords.Hash(password), AccountRegistry.InviteHash(request.Invite.Trimmed()));
        return signUp switch
        {
            { User: { } user } => await SessionAsync(tokens, user),
            { PolicyMessage: { } refused } => AccountErrors.Error(StatusCodes.Status403Forbidden, refused),
            _ => AccountErrors.BadRequest("User already exists."),
        };
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context, Body<LoginBasicRequest> body, AccountsOptions options, AccountRegistry accounts, PasswordHashing passwords, WebTokenService tokens, AttemptThrottle throttle)
    {
        if (options.Mode != AuthMode.Basic)
        {
            return AccountErrors.BadRequest(Disabled);
        }

        var request = body.Value;
        if (request.Username.Trimmed() is not { } name)
        {
            return AccountErrors.BadRequest("Username is required.");
        }

        if (name.Length > UserNames.MaxLength)
        {
            return AccountErrors.BadRequest(InvalidCredentials);
        }

        // The slot is taken before the password is looked at, so parallel guesses can never check more than the limit.
        var attempt = await throttle.SignInAsync(UserNames.ForLookup(name), context);
        if (attempt.Refusal is { } refusal)
        {
            return AccountErrors.Error(StatusCodes.Status429TooManyRequests, refusal);
        }

        var user = await accounts.FindAsync(name);
        if (user is null || user.Disabled || (user.PasswordHash is { } hash && !passwords.Verify(hash, request.Password.Trimmed())))
        {
            return AccountErrors.BadRequest(InvalidCredentials);
        }

        await attempt.SucceededAsync();
        return await SessionAsync(tokens, user);
    }

    public static async Task<IResult> SessionAsync(WebTokenService tokens, OrbitGrains.Accounts.UserRecord user)
    {
        var session = await tokens.StartSessionAsync(user);
        return Results.Json(new SessionResponse(true, session.Token, session.RefreshToken, new UserSummary(user.Id, user.Name)));
    }
}
