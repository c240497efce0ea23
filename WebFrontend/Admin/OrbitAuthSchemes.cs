namespace OrbitGrains.WebFrontend.Admin;

public static class OrbitAuthSchemes
{
    /// <summary>Picks the bearer or cookie scheme per request; the default for the whole app.</summary>
    public const string Selector = "orbit";

    /// <summary>`Authorization: Bearer &lt;token&gt;`; later families add their token kinds to this handler.</summary>
    public const string Bearer = "orbit-bearer";

    /// <summary>A browser session for admins who signed in at /admin/login (the dashboard is a web page).</summary>
    public const string AdminCookie = "orbit-admin-cookie";

    public const string AdminPolicy = "admin";
    public const string AdminRole = "admin";
}
