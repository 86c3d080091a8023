// Command kube-apiserver is the upstream Kubernetes API server, built from the
// k8s.io/kubernetes module so that tests run against the real thing without
// Docker or a downloaded release binary. It mirrors cmd/kube-apiserver upstream,
// blank imports included, so it behaves as the released binary does.
package main

import (
	"os"
	_ "time/tzdata" // for timeZone support in CronJob

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // for JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // load all the prometheus client-go plugins
	_ "k8s.io/component-base/metrics/prometheus/version"  // for version metric registration
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
