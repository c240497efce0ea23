namespace OrbitGrains.WebFrontend.Accounts;

// Response shapes of the Orbit web client and Anchor: member names are the contract (camelCase on the wire).

public sealed record UserSummary(string Id, string Name);

public sealed record SessionResponse(bool Verified, string Token, string RefreshToken, UserSummary User);

public sealed record RefreshResponse(string Token, string RefreshToken, UserSummary User);

/// <summary>`GET /auth/session`: the Orbit contract's fields (orbit.md), its user with the account's roles added.</summary>
public sealed record SessionStatus(bool Authenticated, SessionUser? User, bool HasPasskey, bool SystemHasUsers);

/// <summary>The signed-in account as `GET /auth/session` describes it.</summary>
/// <param name="Roles">Every role the account has: `member`, plus `operator` and/or `admin` when granted (so a client
/// offers only what the person may use; the API stays the judge).</param>
public sealed record SessionUser(string Id, string Name, string[] Roles);

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
