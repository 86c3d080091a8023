// The Gateway API group and version the target writes: v1, served by the standard channel of the
// version the project pins (scripts/externals.json).
export const GATEWAY_API = 'gateway.networking.k8s.io/v1';
export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
