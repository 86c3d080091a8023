//go:build tools

// The judge's packages, imported for the module graph only, so that `go mod tidy` keeps the
// istio.io/istio requirement even when judge/ is edited.
package tools

import (
	_ "istio.io/istio/pilot/test/xds"
	_ "istio.io/istio/pkg/config/analysis/analyzers"
	_ "istio.io/istio/pkg/config/analysis/local"
)
