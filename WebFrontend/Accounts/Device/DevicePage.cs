namespace OrbitGrains.WebFrontend.Accounts.Device;

/// <summary>
/// `/device`: where the Anchor sends a person to approve its sign-in. A web client may take this route over; until
/// then the product serves a small page of its own (sign in by name and password, then enter the code), so the device
/// flow works end to end with nothing else installed. Its script is a separate file so a strict CSP holds.
/// </summary>
public static class DevicePage
{
    public static IEndpointRouteBuilder MapDevicePage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/device", () => Results.Content(Html, "text/html; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/device.js", () => Results.Content(Script, "text/javascript; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private const string Html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Approve a device - OrbitGrains</title>
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <script src="/device.js" defer></script></head>
        <body style="font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem">
        <h1>Approve a device</h1>
        <p>Your Anchor shows a code like <code>ABCD-EF23</code>. Sign in, enter the code, and the Anchor signs in as you.</p>
        <form id="approve">
          <p><label>Name<br><input id="name" autocomplete="username" required></label></p>
          <p><label>Password (if your account has one)<br><input id="password" type="password" autocomplete="current-password"></label></p>
          <p><label>Code<br><input id="code" autocomplete="one-time-code" required pattern="[A-Za-z0-9]{4}-?[A-Za-z0-9]{4}"></label></p>
          <p><button type="submit">Approve</button></p>
        </form>
        <p id="result" role="status"></p>
        </body></html>
        """;

    private const string Script = """
        "use strict";
        document.addEventListener("DOMContentLoaded", () => {
          const form = document.getElementById("approve");
          const result = document.getElementById("result");
          const code = new URLSearchParams(location.search).get("code");
          if (code) document.getElementById("code").value = code;
          async function post(path, body, token) {
            const headers = { "Content-Type": "application/json" };
            if (token) headers.Authorization = "Bearer " + token;
            const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
            const data = await response.json().catch(() => ({}));
            if (!response.ok) throw new Error(data.error || data.detail || "Request failed (" + response.status + ").");
            return data;
          }
          form.addEventListener("submit", async (event) => {
            event.preventDefault();
            result.textContent = "Approving...";
            try {
              const body = { username: document.getElementById("name").value.trim() };
              const password = document.getElementById("password").value;
              if (password) body.password = password;
              const session = await post("/auth/login/basic", body);
              let userCode = document.getElementById("code").value.trim().toUpperCase();
              if (!userCode.includes("-") && userCode.length === 8) userCode = userCode.slice(0, 4) + "-" + userCode.slice(4);
              await post("/auth/device/authorise", { userCode }, session.token);
              await fetch("/auth/logout", { method: "POST", headers: { Authorization: "Bearer " + session.token } });
              result.textContent = "Approved. You can return to your Anchor.";
              form.reset();
            } catch (error) {
              result.textContent = error.message;
            }
          });
        });
        """;
}
