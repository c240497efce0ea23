using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace OrbitGrains.Cloud;

/// <summary>
/// Instances on EC2 through AWSSDK.EC2 (the SDK signs, retries throttled calls with backoff and reads the XML).
/// Credentials and region come from the SDK's standard chain, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and AWS_REGION
/// from configuration; AWS_ENDPOINT_URL points it at another endpoint.
/// </summary>
public sealed class Ec2CloudProvider(IAmazonEC2 ec2, CloudOptions options) : ICloudProvider
{
    public const string TagName = "Name";
    public const string TagUser = "User";
    public const string TagManagedBy = "ManagedBy";
    public const string TagInstanceId = "OrbitInstanceId";
    public const int RootVolumeGb = 20;

    /// <summary>The SDK client for these options.</summary>
    public static IAmazonEC2 CreateClient(CloudOptions options, string? accessKeyId, string? secretAccessKey)
    {
        var config = new AmazonEC2Config { MaxErrorRetry = 5, Timeout = TimeSpan.FromSeconds(30) };
        if (options.EndpointUrl is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }

        return accessKeyId is not null && secretAccessKey is not null
            ? new AmazonEC2Client(new BasicAWSCredentials(accessKeyId, secretAccessKey), config)
            : new AmazonEC2Client(config);
    }

    public async Task<ProviderObservation> LaunchAsync(LaunchSpec spec, CancellationToken cancellationToken = default)
    {
        var request = new RunInstancesRequest
        {
            ImageId = options.AmiId,
            InstanceType = InstanceType.FindValue(spec.InstanceType),
            MinCount = 1,
            MaxCount = 1,
            // EC2 answers a repeated token with the instance it already made: a retry never makes a second one.
            ClientToken = spec.InstanceId,
            UserData = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(spec.UserData)),
            KeyName = options.KeyPairName,
            SubnetId = options.SubnetId,
            SecurityGroupIds = options.SecurityGroupId is { } group ? [group] : null,
            BlockDeviceMappings =
            [
                new BlockDeviceMapping
                {
                    DeviceName = "/dev/sda1",
                    Ebs = new EbsBlockDevice { VolumeSize = RootVolumeGb, VolumeType = VolumeType.Gp3, DeleteOnTermination = true },
                },
            ],
            TagSpecifications =
            [
                new TagSpecification
                {
                    ResourceType = ResourceType.Instance,
                    Tags =
                    [
                        new Tag(TagName, spec.Name),
                        new Tag(TagUser, spec.UserId),
                        new Tag(TagManagedBy, options.ManagedBy),
                        new Tag(TagInstanceId, spec.InstanceId),
                    ],
                },
            ],
        };
        var response = await ec2.RunInstancesAsync(request, cancellationToken);
        return Observe(response.Reservation.Instances[0]);
    }

    public async Task<ProviderObservation?> DescribeAsync(string providerInstanceId, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [providerInstanceId] }, cancellationToken);
            return response.Reservations?.SelectMany(r => r.Instances ?? []).Select(Observe).FirstOrDefault();
        }
        catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidInstanceID.NotFound")
        {
            return null;
        }
    }

    public Task StopAsync(string providerInstanceId, CancellationToken cancellationToken = default) =>
        ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [providerInstanceId] }, cancellationToken);

    public Task StartAsync(string providerInstanceId, CancellationToken cancellationToken = default) =>
        ec2.StartInstancesAsync(new StartInstancesRequest { InstanceIds = [providerInstanceId] }, cancellationToken);

    public async Task TerminateAsync(string providerInstanceId, CancellationToken cancellationToken = default)
    {
        try
        {
            await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [providerInstanceId] }, cancellationToken);
        }
        catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidInstanceID.NotFound")
        {
            // Already gone: terminating is done.
        }
    }

    public async Task<IReadOnlyList<ProviderObservation>> ListManagedAsync(CancellationToken cancellationToken = default)
    {
        var found = new List<ProviderObservation>();
        string? next = null;
        do
        {
            var response = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest
            {
                Filters =
                [
                    new Filter($"tag:{TagManagedBy}", [options.ManagedBy]),
                    new Filter("instance-state-name", ["pending", "running", "stopping", "stopped", "shutting-down"]),
                ],
                NextToken = next,
            }, cancellationToken);
            found.AddRange(response.Reservations?.SelectMany(r => r.Instances ?? []).Select(Observe) ?? []);
            next = response.NextToken;
        }
        while (!string.IsNullOrEmpty(next));

        return found;
    }

    public (string Host, int Port) VncTarget(string publicIp) => (publicIp, CloudOptions.VncPort);

    public string GatewayUrl(string publicIp) => $"ws://{publicIp}:{CloudOptions.GatewayPort}";

    private static ProviderObservation Observe(Instance instance) => new(
        instance.InstanceId,
        instance.Tags?.FirstOrDefault(t => t.Key == TagInstanceId)?.Value,
        Map(instance.State?.Name?.Value),
        string.IsNullOrEmpty(instance.PublicIpAddress) ? null : instance.PublicIpAddress);

    /// <summary>EC2's instance state names onto ours; the raw names never leave this class.</summary>
    public static string Map(string? ec2State) => ec2State switch
    {
        "pending" => InstanceStatus.Launching,
        "running" => InstanceStatus.Running,
        "stopping" or "shutting-down" => InstanceStatus.Stopping,
        "stopped" => InstanceStatus.Stopped,
        "terminated" => InstanceStatus.Terminated,
        _ => InstanceStatus.Launching,
    };
}
