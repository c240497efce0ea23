using OrbitGrains.Cloud;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.WebFrontend.Cloud;

/// <summary>What the Cloud routes accept, with the family's messages (spec: cloud.md).</summary>
public static class CloudValidation
{
    public static readonly string[] Providers = ["anthropic", "openai", "google"];
    public const string ProviderMessage = "Provider must be one of: anthropic, openai, google";
    public const int MaxNameLength = 100;
    public const int MaxKeyLength = 512;
    public const int MaxClientTokenLength = 64;

    public static IResult? Provider(string? provider) =>
        provider is not null && Providers.Contains(provider, StringComparer.Ordinal) ? null : DetailErrors.Error(StatusCodes.Status400BadRequest, ProviderMessage);

    /// <summary>A key: 1..512 printable ASCII characters (it goes into a shell script on the instance, quoted).</summary>
    public static IResult? Key(string? key) => key switch
    {
        null or "" => DetailErrors.Error(StatusCodes.Status422UnprocessableEntity, "api_key is required"),
        { Length: > MaxKeyLength } => DetailErrors.Error(StatusCodes.Status422UnprocessableEntity, $"api_key must be at most {MaxKeyLength} characters"),
        _ when key.Any(c => c is < '!' or > '~') => DetailErrors.Error(StatusCodes.Status422UnprocessableEntity, "api_key must be printable ASCII without spaces"),
        _ => null,
    };

    /// <summary>The create order, or the refusal.</summary>
    public static (CreateInstanceOrder? Order, IResult? Problem) Create(CreateInstanceRequest request)
    {
        var type = request.InstanceType ?? CloudOptions.DefaultInstanceType;
        if (!CloudOptions.InstanceTypes.Contains(type, StringComparer.Ordinal))
        {
            return (null, DetailErrors.Error(StatusCodes.Status422UnprocessableEntity, "instance_type must be one of: t3.medium, t3.large, t3.xlarge"));
        }

        var name = request.Name?.Trim();
        if (name is { Length: > MaxNameLength } || name?.Any(char.IsControl) == true)
        {
            return (null, DetailErrors.Error(StatusCodes.Status422UnprocessableEntity, $"name must be at most {MaxNameLength} characters, without control characters"));
        }

        if (request.ClientToken is { } token && (token.Length is 0 or > MaxClientTokenLength || token.Any(c => c is < '!' or > '~')))
        {
            return (null, DetailErrors.Error(StatusCodes.Status422UnprocessableEntity, $"client_token must be 1..{MaxClientTokenLength} printable ASCII characters"));
        }

        Dictionary<string, string>? keys = null;
        if (request.ApiKeys is { } given)
        {
            keys = [];
            foreach (var (provider, key) in given)
            {
                if (Provider(provider) is { } providerProblem)
                {
                    return (null, providerProblem);
                }

                if (Key(key) is { } keyProblem)
                {
                    return (null, keyProblem);
                }

                keys[provider] = key!;
            }
        }

        return (new CreateInstanceOrder(string.IsNullOrEmpty(name) ? null : name, type, keys, request.ClientToken), null);
    }
}
