using OrbitGrains.WebFrontend.Hosting.Bodies;

namespace OrbitGrains.WebFrontend.Accounts;

/// <summary>Name-based sign-up and sign-in (AUTH_MODE=basic), each with an optional password.</summary>
public static class BasicAuthEndpoints
{
    public const int MaxNameLength = 64;
    public const int MaxDisplayNameLength = 128;
    private const string Disabled = "Basic auth mode is disabled.";
    private const string InvalidCredentials = "Invalid credentials.";

    public static RouteGroupBuilder MapBasicAuth(this RouteGroupBuilder auth)
    {
        auth.MapPost("/register/basic", RegisterAsync)
            .WithSummary("Create an account by name (optional password) and sign in")
            .Produces<SessionResponse>();
        auth.MapPost("/login/basic", LoginAsync)
            .WithSummary("Sign in by name (exact, then case-insensitive); throttled after repeated failures")
            .Produces<SessionResponse>();
        return auth;
    }

    private static async Task<IResult> RegisterAsync(
        Body<RegisterBasicRequest> body, AccountsOptions options, AccountRegistry accounts, PasswordHashing passwords, WebTokenService tokens)
    {
        if (options.Mode != AuthMode.Basic)
        {
            return AccountErrors.BadRequest(Disabled);
        }

        var request = body.Value;
        if (request.Name.Trimmed() is not { } name)
        {
            return AccountErrors.BadRequest("Name is required.");
        }

        if (NameProblem(name) is { } nameProblem)
        {
            return AccountErrors.BadRequest(nameProblem);
        }

        var displayName = request.DisplayName.Trimmed() ?? name;
        if (displayName.Length > MaxDisplayNameLength || displayName.Any(char.IsControl))
        {
            return AccountErrors.BadRequest($"Display name must be at most {MaxDisplayNameLength} printable characters.");
        }

        var password = request.Password.Trimmed();
        if (password is { Length: < PasswordHashing.MinLength or > PasswordHashing.MaxLength })
        {
            return AccountErrors.BadRequest($"Password must be {PasswordHashing.MinLength} to {PasswordHashing.MaxLength} characters.");
        }

        var user = await accounts.RegisterAsync(name, displayName, password is null ? null : passwords.Hash(password));
        if (user is null)
        {
            return AccountErrors.BadRequest("User already exists.");
        }

        return await SessionAsync(tokens, user);
    }

    private static async Task<IResult> LoginAsync(
        HttpContext context, Body<LoginBasicRequest> body, AccountsOptions options, AccountRegistry accounts, PasswordHashing passwords,
        WebTokenService tokens, LoginThrottle throttle)
    {
        if (options.Mode != AuthMode.Basic)
        {
            return AccountErrors.BadRequest(Disabled);
        }

        if (body.Value.Username.Trimmed() is not { } name)
        {
            return AccountErrors.BadRequest("Username is required.");
        }

        if (name.Length > MaxNameLength)
        {
            return AccountErrors.BadRequest(InvalidCredentials);
        }

        if (await throttle.RefusalAsync(name, context) is { } refusal)
        {
            return AccountErrors.Error(StatusCodes.Status429TooManyRequests, refusal);
        }

        var user = await accounts.FindAsync(name);
        var password = body.Value.Password.Trimmed();
        if (user is null || (user.PasswordHash is { } hash && !passwords.Verify(hash, password)))
        {
            await throttle.RecordFailureAsync(name, context);
            return AccountErrors.BadRequest(InvalidCredentials);
        }

        return await SessionAsync(tokens, user);
    }

    private static async Task<IResult> SessionAsync(WebTokenService tokens, OrbitGrains.Accounts.UserRecord user)
    {
        // A brand-new family cannot have been revoked, so a session always comes back here.
        var session = await tokens.StartSessionAsync(user)
            ?? throw new InvalidOperationException("A new session family was found revoked.");
        return Results.Json(new SessionResponse(true, session.Token, session.RefreshToken, new UserSummary(user.Id, user.Name)));
    }

    private static string? NameProblem(string name) =>
        name.Length > MaxNameLength ? $"Name must be at most {MaxNameLength} characters."
        : name.Any(char.IsControl) ? "Name must not contain control characters."
        : null;
}
