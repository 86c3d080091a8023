// Access logs and trace sampling per the telemetry settings that apply to a workload: the
// service's, else its namespace's, else the mesh's (the most specific level that says something
// about a setting decides it, as with Istio's Telemetry). Logs go to the proxy's stdout, as
// Istio's built-in provider writes them; `format: json` writes one JSON object per line,
// `errorsOnly` keeps responses with status >= 400.
import type { MeshModel } from '../../model/mesh-model.js';
import type { TelemetrySpec } from '../../schema/policy.js';
import type { Json } from './types.js';

const STDOUT_LOGGER = 'envoy.access_loggers.stdout';
const STDOUT_LOGGER_TYPE = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog';

/** The fields of a JSON log line: Istio's default JSON access-log format. */
export const JSON_LOG_FORMAT: Record<string, string> = {
  start_time: '%START_TIME%',
  method: '%REQ(:METHOD)%',
  path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  protocol: '%PROTOCOL%',
  response_code: '%RESPONSE_CODE%',
  response_flags: '%RESPONSE_FLAGS%',
  response_code_details: '%RESPONSE_CODE_DETAILS%',
  bytes_received: '%BYTES_RECEIVED%',
  bytes_sent: '%BYTES_SENT%',
  duration: '%DURATION%',
  upstream_service_time: '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%',
  x_forwarded_for: '%REQ(X-FORWARDED-FOR)%',
  user_agent: '%REQ(USER-AGENT)%',
  request_id: '%REQ(X-REQUEST-ID)%',
  authority: '%REQ(:AUTHORITY)%',
  upstream_host: '%UPSTREAM_HOST%',
  upstream_cluster: '%UPSTREAM_CLUSTER%',
  downstream_remote_address: '%DOWNSTREAM_REMOTE_ADDRESS%',
  route_name: '%ROUTE_NAME%',
};

/** Istio's default text format. */
export const TEXT_LOG_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% ' +
  '%RESPONSE_CODE_DETAILS% %BYTES_RECEIVED% %BYTES_SENT% %DURATION% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" ' +
  '"%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER% %ROUTE_NAME%\n';

export interface EffectiveTelemetry {
  readonly accessLog?: NonNullable<TelemetrySpec['accessLog']>;
  readonly samplingPercent?: number;
}

export function effectiveTelemetry(model: MeshModel, namespace: string, own: TelemetrySpec | undefined): EffectiveTelemetry {
  const levels = [own, model.settings.namespaces?.[namespace]?.telemetry, model.settings.telemetry];
  const accessLog = levels.find((level) => level?.accessLog !== undefined)?.accessLog;
  const samplingPercent = levels.find((level) => level?.tracing !== undefined)?.tracing?.samplingPercent;
  return { ...(accessLog ? { accessLog } : {}), ...(samplingPercent !== undefined ? { samplingPercent } : {}) };
}

/** `access_log` of an HTTP connection manager or TCP proxy; undefined when logging is off. */
export function accessLogs(telemetry: EffectiveTelemetry): Json[] | undefined {
  const settings = telemetry.accessLog;
  if (!settings || !settings.enabled) return undefined;
  const logFormat = settings.format === 'json' ? { json_format: JSON_LOG_FORMAT } : { text_format_source: { inline_string: TEXT_LOG_FORMAT } };
  return [
    {
      name: STDOUT_LOGGER,
      ...(settings.errorsOnly
        ? { filter: { status_code_filter: { comparison: { op: 'GE', value: { default_value: 400, runtime_key: 'access_log.errors_only.min_status' } } } } }
        : {}),
      typed_config: { '@type': STDOUT_LOGGER_TYPE, log_format: logFormat },
    },
  ];
}

/** HCM `tracing`: the share of requests sampled (no tracer is configured: the decision travels in headers). */
export function tracing(telemetry: EffectiveTelemetry): Json | undefined {
  if (telemetry.samplingPercent === undefined) return undefined;
  return { random_sampling: { value: telemetry.samplingPercent } };
}
