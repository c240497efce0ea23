-- OrbitGrains: schema and stored queries for the Orleans ADO.NET providers on PostgreSQL
-- (clustering, grain storage, reminders). Idempotent: safe to run any number of times, by hand
-- (psql -v ON_ERROR_STOP=1 -f this-file) or by the silo at start-up (Orleans:ApplySchema, on by default).
-- Parameters are bound by name (@Name); the providers read result columns by name.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64)   NOT NULL PRIMARY KEY,
    QueryText varchar(8000) NOT NULL
);

-- ---------------------------------------------------------------------------------------------
-- Clustering
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL PRIMARY KEY,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable
(
    DeploymentId varchar(150)  NOT NULL REFERENCES OrleansMembershipVersionTable (DeploymentId),
    Address      varchar(45)   NOT NULL,
    Port         integer       NOT NULL,
    Generation   integer       NOT NULL,
    SiloName     varchar(150)  NOT NULL,
    HostName     varchar(150)  NOT NULL,
    Status       integer       NOT NULL,
    ProxyPort    integer       NULL,
    SuspectTimes varchar(8000) NULL,
    StartTime    timestamptz   NOT NULL,
    IAmAliveTime timestamptz   NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

-- ---------------------------------------------------------------------------------------------
-- Grain storage. The key is (service, grain type, grain id); the two hashes make lookups cheap.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS OrleansStorage
(
    GrainIdHash            integer       NOT NULL,
    GrainIdN0              bigint        NOT NULL,
    GrainIdN1              bigint        NOT NULL,
    GrainTypeHash          integer       NOT NULL,
    GrainTypeString        varchar(512)  NOT NULL,
    GrainIdExtensionString varchar(1024) NULL,
    ServiceId              varchar(150)  NOT NULL,
    PayloadBinary          bytea         NULL,
    ModifiedOn             timestamptz   NOT NULL DEFAULT now(),
    Version                integer       NULL
);

CREATE UNIQUE INDEX IF NOT EXISTS OrleansStorage_Key ON OrleansStorage
    (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString, (coalesce(GrainIdExtensionString, '')));

-- ---------------------------------------------------------------------------------------------
-- Reminders
-- ---------------------------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS OrleansRemindersTable
(
    ServiceId    varchar(150)  NOT NULL,
    GrainId      varchar(1024) NOT NULL,
    ReminderName varchar(150)  NOT NULL,
    StartTime    timestamptz   NOT NULL,
    Period       bigint        NOT NULL,
    GrainHash    integer       NOT NULL,
    Version      integer       NOT NULL,
    PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS OrleansReminders_ServiceHash ON OrleansRemindersTable (ServiceId, GrainHash);

-- ---------------------------------------------------------------------------------------------
-- Stored queries (upserted so that a newer script replaces older texts)
-- ---------------------------------------------------------------------------------------------
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES

('InsertMembershipVersionKey', '
WITH inserted AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1)
SELECT count(*)::integer FROM inserted;'),

('UpdateIAmAlivetimeKey', '
UPDATE OrleansMembershipTable SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;'),

-- The version row is bumped only when the member is new and the caller saw the latest version;
-- both writes are one statement, so they commit or fail together.
('InsertMembershipKey', '
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable v SET Version = v.Version + 1, Timestamp = now()
    WHERE v.DeploymentId = @DeploymentId AND v.Version = @Version
      AND NOT EXISTS (SELECT 1 FROM OrleansMembershipTable m
                      WHERE m.DeploymentId = @DeploymentId AND m.Address = @Address
                        AND m.Port = @Port AND m.Generation = @Generation)
    RETURNING v.DeploymentId),
inserted AS (
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    SELECT b.DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM bumped b
    RETURNING 1)
SELECT count(*)::integer FROM inserted;'),

('UpdateMembershipKey', '
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable v SET Version = v.Version + 1, Timestamp = now()
    WHERE v.DeploymentId = @DeploymentId AND v.Version = @Version
      AND EXISTS (SELECT 1 FROM OrleansMembershipTable m
                  WHERE m.DeploymentId = @DeploymentId AND m.Address = @Address
                    AND m.Port = @Port AND m.Generation = @Generation)
    RETURNING v.DeploymentId),
updated AS (
    UPDATE OrleansMembershipTable m
    SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
    FROM bumped b
    WHERE m.DeploymentId = b.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    RETURNING 1)
SELECT count(*)::integer FROM updated;'),

-- Always at least one row (the version row); a member-less row has a null StartTime.
('MembershipReadRowKey', '
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m
       ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;'),

('MembershipReadAllKey', '
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable v
LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;'),

('DeleteMembershipTableEntriesKey', '
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;'),

('GatewaysQueryKey', '
SELECT Address, ProxyPort, Generation FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;'),

('CleanupDefunctSiloEntriesKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3;'),

('CleanupDefunctSiloEntryKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation AND Status <> 3;'),

('ReadFromStorageKey', '
SELECT PayloadBinary, Version FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND coalesce(GrainIdExtensionString, '''') = coalesce(@GrainIdExtensionString, '''');'),

-- A null version inserts only when no row exists; otherwise the update needs the stored version.
-- No row back means a conflict (stale ETag or a concurrent first write).
('WriteToStorageKey', '
WITH updated AS (
    UPDATE OrleansStorage SET PayloadBinary = @PayloadBinary, ModifiedOn = now(), Version = Version + 1
    WHERE @GrainStateVersion IS NOT NULL AND Version = @GrainStateVersion
      AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
      AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
      AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
      AND coalesce(GrainIdExtensionString, '''') = coalesce(@GrainIdExtensionString, '''')
    RETURNING Version),
inserted AS (
    INSERT INTO OrleansStorage (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
                                GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString,
           @GrainIdExtensionString, @ServiceId, @PayloadBinary, now(), 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT (GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, ServiceId, GrainTypeString, (coalesce(GrainIdExtensionString, '''')))
    DO NOTHING
    RETURNING Version)
SELECT Version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT Version FROM inserted;'),

('ClearStorageKey', '
UPDATE OrleansStorage SET PayloadBinary = NULL, ModifiedOn = now(), Version = Version + 1
WHERE @GrainStateVersion IS NOT NULL AND Version = @GrainStateVersion
  AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND coalesce(GrainIdExtensionString, '''') = coalesce(@GrainIdExtensionString, '''')
RETURNING Version;'),

('DeleteStorageKey', '
DELETE FROM OrleansStorage
WHERE @GrainStateVersion IS NOT NULL AND Version = @GrainStateVersion
  AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString
  AND coalesce(GrainIdExtensionString, '''') = coalesce(@GrainIdExtensionString, '''')
RETURNING Version + 1;'),

('ReadReminderRowsKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId;'),

('ReadReminderRowKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;'),

('ReadRangeRows1Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;'),

('ReadRangeRows2Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);'),

('UpsertReminderRowKey', '
INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
SET StartTime = excluded.StartTime, Period = excluded.Period, GrainHash = excluded.GrainHash,
    Version = OrleansRemindersTable.Version + 1
RETURNING Version;'),

('DeleteReminderRowKey', '
WITH deleted AS (
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version
    RETURNING 1)
SELECT count(*)::integer FROM deleted;'),

('DeleteReminderRowsKey', '
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;')

ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
