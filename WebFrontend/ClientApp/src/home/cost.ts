import { hourlyPrice, type Instance } from '../cloud/cloudApi';

/**
 * What a running instance has cost in its current run: the type's on-demand hourly price (an estimate: us-east-1,
 * Linux) times the hours since it reached running (`running_since`, kept by the server); 0 when it is not running.
 */
export function costSoFar(instance: Instance, now = Date.now()): number {
  if (!instance.running_since) return 0;
  const hours = Math.max(0, now - Date.parse(instance.running_since)) / 3_600_000;
  return (hourlyPrice[instance.instance_type] ?? 0) * hours;
}
