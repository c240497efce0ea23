namespace OrbitGrains.WebFrontend.Accounts;

// Response shapes of the Orbit web client and Anchor: member names are the contract (camelCase on the wire).

public sealed record UserSummary(string Id, string Name);

public sealed record SessionResponse(bool Verified, string Token, string RefreshToken, UserSummary User);

public sealed record RefreshResponse(string Token, string RefreshToken, UserSummary User);

public sealed record SessionStatus(bool Authenticated, UserSummary? User, bool HasPasskey, bool SystemHasUsers);

public sealed record DeviceCodeResponse(string DeviceCode, string UserCode, string VerificationUrl, int ExpiresIn, int Interval);

public sealed record OkResponse(bool Ok);

public sealed record DeviceStatusResponse(string Status);

public sealed record DeviceAuthorisedResponse(
    string Status, string UserId, string AnchorAccessToken, string AnchorRefreshToken, int AnchorAccessExpiresIn);

public sealed record AnchorTokensResponse(string AnchorAccessToken, string AnchorRefreshToken, int AnchorAccessExpiresIn, string UserId);

/// <summary>`GET /auth/config`: what a sign-in or sign-up page needs to know before it asks anything.</summary>
/// <param name="AuthMode">`basic` or `passkey` (AUTH_MODE).</param>
/// <param name="Registration">`open`, `invite` (sign-ups send `invite`) or `closed` (REGISTRATION).</param>
public sealed record AuthConfigResponse(string AuthMode, string Registration);
