// istio-judge runs Istio's own code on meshctl's output: the configuration generator of istiod
// (pilot, in process, as istiod's own tests run it) and every configuration analyzer of
// `istioctl analyze`. meshctl's tests use it to judge the Istio target by what Istio does with it.
//
//	istio-judge pilot [--proxy JSON]... [FILE|-]...
//	    The Envoy configuration (listeners, routes, clusters) istiod would push to each proxy, as
//	    Envoy's own JSON. A proxy is {"type": "sidecar"|"router", "namespace", "labels", "ip",
//	    "name"}; the Kubernetes objects in the input (Pods with their IPs and service accounts,
//	    Services, ...) tell pilot which services the proxy's workload belongs to, as they tell
//	    istiod.
//	istio-judge analyze [FILE|-]...
//	    The messages of every analyzer, with the Kubernetes objects of the input (Namespaces,
//	    Services, Pods, Deployments, ...) kept as Istio's own analyzer tests keep them.
//
// Input: YAML documents (Istio configuration and Kubernetes objects mixed), from files or stdin.
// Output: JSON on stdout; errors on stderr with exit status 1 (2 for wrong usage).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/diag"
	"istio.io/istio/pkg/config/analysis/local"
	"istio.io/istio/pkg/config/constants"
	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/test"
)

const usage = `usage:
  istio-judge pilot [--proxy JSON]... [FILE|-]...
  istio-judge analyze [--runs N] [FILE|-]...`

type usageError struct{ error }

func main() {
	quietLogs()
	err := run(os.Args[1:], os.Stdin, os.Stdout)
	if err == nil {
		return
	}
	fmt.Fprintf(os.Stderr, "istio-judge: %v\n", err)
	var u usageError
	if errors.As(err, &u) {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	os.Exit(1)
}

// Istio logs every informer start and push at info level; the output is JSON on stdout and only
// real errors belong on stderr.
func quietLogs() {
	options := log.DefaultOptions()
	options.SetDefaultOutputLevel(log.OverrideScopeName, log.NoneLevel)
	options.SetDefaultOutputLevel("default", log.NoneLevel)
	_ = log.Configure(options)
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("no subcommand")}
	}
	switch args[0] {
	case "pilot":
		return runPilot(args[1:], stdin, stdout)
	case "analyze":
		return runAnalyze(args[1:], stdin, stdout)
	default:
		return usageError{fmt.Errorf("unknown subcommand %q", args[0])}
	}
}

// --- input -----------------------------------------------------------------------------------

type document struct {
	source string
	index  int
	text   string
	kind   string
	group  string
}

func readInputs(paths []string, stdin io.Reader) ([]document, error) {
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	var docs []document
	for _, path := range paths {
		var data []byte
		var err error
		name := path
		if path == "-" {
			name = "<stdin>"
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(path)
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %v", name, err)
		}
		parsed, err := splitDocuments(name, string(data))
		if err != nil {
			return nil, err
		}
		docs = append(docs, parsed...)
	}
	return docs, nil
}

func splitDocuments(source, text string) ([]document, error) {
	var docs []document
	for i, part := range strings.Split("\n"+text, "\n---") {
		if strings.TrimSpace(stripComments(part)) == "" {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(part), &head); err != nil {
			return nil, fmt.Errorf("%s: document %d is not YAML: %v", source, i+1, err)
		}
		if head.Kind == "" || head.APIVersion == "" {
			return nil, fmt.Errorf("%s: document %d has no apiVersion or kind", source, i+1)
		}
		group := ""
		if slash := strings.Index(head.APIVersion, "/"); slash >= 0 {
			group = head.APIVersion[:slash]
		}
		docs = append(docs, document{source: source, index: i + 1, text: strings.TrimPrefix(part, "\n"), kind: head.Kind, group: group})
	}
	return docs, nil
}

func stripComments(text string) string {
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Istio's configuration goes to pilot's config store; everything else (core and apps objects) to
// its fake Kubernetes client, as a running istiod would watch them.
func isIstioConfig(d document) bool {
	return strings.HasSuffix(d.group, ".istio.io") || strings.HasSuffix(d.group, "gateway.networking.k8s.io")
}

func isGatewayAPI(d document) bool {
	return d.group == "gateway.networking.k8s.io"
}

func joinDocuments(docs []document, keep func(document) bool) string {
	var parts []string
	for _, d := range docs {
		if keep(d) {
			parts = append(parts, strings.TrimRight(d.text, "\n"))
		}
	}
	return strings.Join(parts, "\n---\n")
}

// --- pilot -----------------------------------------------------------------------------------

type proxySpec struct {
	Name      string            `json:"name"`
	Type      string            `json:"type"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels"`
	IP        string            `json:"ip"`
}

type proxyList []proxySpec

func (l *proxyList) String() string { return "" }
func (l *proxyList) Set(value string) error {
	var p proxySpec
	decoder := json.NewDecoder(strings.NewReader(value))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&p); err != nil {
		return fmt.Errorf("--proxy %s: %v", value, err)
	}
	switch p.Type {
	case "":
		p.Type = "sidecar"
	case "sidecar", "router":
	default:
		return fmt.Errorf("--proxy %s: type must be sidecar or router", value)
	}
	if p.Namespace == "" {
		return fmt.Errorf("--proxy %s: namespace is required", value)
	}
	*l = append(*l, p)
	return nil
}

type proxyConfig struct {
	Proxy     proxySpec         `json:"proxy"`
	Listeners []json.RawMessage `json:"listeners"`
	Routes    []json.RawMessage `json:"routes"`
	Clusters  []json.RawMessage `json:"clusters"`
}

func runPilot(args []string, stdin io.Reader, stdout io.Writer) error {
	flags := flag.NewFlagSet("pilot", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	var proxies proxyList
	flags.Var(&proxies, "proxy", "a proxy as JSON")
	if err := flags.Parse(args); err != nil {
		return usageError{err}
	}
	if len(proxies) == 0 {
		return usageError{errors.New("pilot needs at least one --proxy")}
	}
	docs, err := readInputs(flags.Args(), stdin)
	if err != nil {
		return err
	}
	configString := joinDocuments(docs, isIstioConfig)
	// istiod's Gateway API controller reads Gateways, routes and ReferenceGrants from the cluster
	// (its informers), not from the config store, and so the ServiceEntries a route's Hostname
	// backend names: they go to the fake Kubernetes client too, as Istio's own Gateway API tests
	// give them.
	kubeString := joinDocuments(docs, func(d document) bool { return !isIstioConfig(d) || isGatewayAPI(d) || d.kind == "ServiceEntry" })

	var results []proxyConfig
	failure := runOnce(func(t test.Failer) {
		server := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
			ConfigString:           configString,
			KubernetesObjectString: kubeString,
		})
		for _, spec := range proxies {
			proxy := server.SetupProxy(newProxy(spec))
			listeners := server.Listeners(proxy)
			result := proxyConfig{Proxy: spec}
			for _, l := range listeners {
				result.Listeners = append(result.Listeners, mustJSON(t, l))
			}
			for _, r := range server.RoutesFromListeners(proxy, listeners) {
				result.Routes = append(result.Routes, mustJSON(t, r))
			}
			for _, c := range server.Clusters(proxy) {
				result.Clusters = append(result.Clusters, mustJSON(t, c))
			}
			// Pilot builds some of these from maps: sorted by name, the same input prints the same bytes.
			sortByName(result.Listeners)
			sortByName(result.Routes)
			sortByName(result.Clusters)
			results = append(results, result)
		}
	})
	if failure != nil {
		return fmt.Errorf("pilot: %v", failure)
	}
	return writeJSON(stdout, results)
}

func sortByName(resources []json.RawMessage) {
	name := func(raw json.RawMessage) string {
		var named struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(raw, &named)
		return named.Name
	}
	sort.SliceStable(resources, func(i, j int) bool { return name(resources[i]) < name(resources[j]) })
}

// The process ends right after one run, so the fake server's cleanups (stopping informers, closing
// its JWKS resolver, which alone waits seconds) are left to the exit. A fatal error from Istio's
// test helpers ends the run with that error.
type onceFailer struct{ errors []string }

type fatalRun struct{}

func (f *onceFailer) Fail()    { f.errors = append(f.errors, "failed") }
func (f *onceFailer) FailNow() { f.Fail(); panic(fatalRun{}) }
func (f *onceFailer) Fatal(args ...any) {
	f.errors = append(f.errors, fmt.Sprint(args...))
	panic(fatalRun{})
}
func (f *onceFailer) Fatalf(format string, a ...any) { f.Fatal(fmt.Sprintf(format, a...)) }
func (f *onceFailer) Log(args ...any)                {}
func (f *onceFailer) Logf(format string, a ...any)   {}
func (f *onceFailer) Helper()                        {}
func (f *onceFailer) Cleanup(func())                 {}
func (f *onceFailer) Skip(args ...any)               { f.Fatal(append([]any{"skipped: "}, args...)...) }
func (f *onceFailer) TempDir() string {
	dir, err := os.MkdirTemp("", "istio-judge-")
	if err != nil {
		f.Fatal(err)
	}
	return dir
}

func runOnce(body func(t test.Failer)) (err error) {
	failer := &onceFailer{}
	defer func() {
		if recovered := recover(); recovered != nil {
			if _, fatal := recovered.(fatalRun); !fatal {
				panic(recovered)
			}
		}
		if len(failer.errors) > 0 {
			err = errors.New(strings.Join(failer.errors, "; "))
		}
	}()
	body(failer)
	return nil
}

func newProxy(spec proxySpec) *model.Proxy {
	labels := map[string]string{}
	for k, v := range spec.Labels {
		labels[k] = v
	}
	proxyType := model.SidecarProxy
	if spec.Type == "router" {
		proxyType = model.Router
	}
	name := spec.Name
	if name == "" {
		name = "workload"
	}
	proxy := &model.Proxy{
		Type:            proxyType,
		ID:              name + "." + spec.Namespace,
		ConfigNamespace: spec.Namespace,
		Labels:          labels,
		Metadata: &model.NodeMetadata{
			Namespace: spec.Namespace,
			Labels:    labels,
			ClusterID: constants.DefaultClusterName,
		},
	}
	if spec.IP != "" {
		proxy.IPAddresses = []string{spec.IP}
	}
	return proxy
}

// Envoy's own JSON form (proto field names, as in Envoy's configuration files), normalised so
// that the same input always prints the same bytes: protojson varies its whitespace on purpose,
// and re-encoding sorts object keys.
func mustJSON(t test.Failer, message proto.Message) json.RawMessage {
	raw, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(message)
	if err != nil {
		t.Fatalf("encoding %T: %v", message, err)
	}
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber()
	var value any
	if err := decoder.Decode(&value); err != nil {
		t.Fatalf("re-reading %T: %v", message, err)
	}
	normalised, err := json.Marshal(value)
	if err != nil {
		t.Fatalf("re-encoding %T: %v", message, err)
	}
	return normalised
}

func writeJSON(stdout io.Writer, value any) error {
	encoded, err := json.Marshal(value)
	if err != nil {
		return err
	}
	_, err = stdout.Write(append(encoded, '\n'))
	return err
}

// --- analyze ---------------------------------------------------------------------------------

type analyzerMessage struct {
	Code     string            `json:"code"`
	Level    string            `json:"level"`
	Message  string            `json:"message"`
	Resource *analyzedResource `json:"resource,omitempty"`
}

type analyzedResource struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

type unstableMessage struct {
	analyzerMessage
	Runs int `json:"runs"`
	Of   int `json:"of"`
}

// How many times the analysis runs by default; see runAnalyze. `--runs 1` times one analysis, as
// `istioctl analyze` runs it (the benchmark's comparison).
const defaultAnalysisRuns = 8

type analysisOutput struct {
	Messages []analyzerMessage `json:"messages"`
	Unstable []unstableMessage `json:"unstableMessages"`
	Executed []string          `json:"executedAnalyzers"`
	Skipped  []string          `json:"skippedAnalyzers"`
}

func runAnalyze(args []string, stdin io.Reader, stdout io.Writer) error {
	flags := flag.NewFlagSet("analyze", flag.ContinueOnError)
	flags.SetOutput(io.Discard)
	analysisRuns := flags.Int("runs", defaultAnalysisRuns, "how many times the analysis runs")
	if err := flags.Parse(args); err != nil {
		return usageError{err}
	}
	if *analysisRuns < 1 {
		return usageError{errors.New("--runs must be at least 1")}
	}
	docs, err := readInputs(flags.Args(), stdin)
	if err != nil {
		return err
	}
	// As pkg/config/analysis/analyzers/analyzers_test.go sets up its cases: a test reader source
	// keeps Pods, Services, Namespaces and the rest of the runtime objects that
	// `istioctl analyze --use-kube=false` drops, so no analyzer is skipped for want of them.
	analyzer := local.NewSourceAnalyzer(analyzers.AllCombined(), "", constants.IstioSystemNamespace, nil)
	sources := []local.ReaderSource{{Name: "input", Reader: strings.NewReader(joinDocuments(docs, func(document) bool { return true }))}}
	if err := analyzer.AddTestReaderKubeSource(sources); err != nil {
		return fmt.Errorf("reading the input: %v", err)
	}
	if err := analyzer.AddDefaultResources(); err != nil {
		return fmt.Errorf("adding Istio's default resources: %v", err)
	}
	cancel := make(chan struct{})
	if err := analyzer.Init(cancel); err != nil {
		return fmt.Errorf("analysis: %v", err)
	}
	// At the pinned version an analyzer's lookup depends on map order inside Istio: the Secret a
	// Gateway's credentialName names is reported missing in about one run in five although it is in
	// the input. The analysis is therefore run several times on the same synced stores: a message
	// counts when every run reports it, and one that only some runs report is printed apart, as
	// unstable, so that nothing is dropped silently.
	counts := map[string]int{}
	first := map[string]analyzerMessage{}
	var result local.AnalysisResult
	for run := 0; run < *analysisRuns; run++ {
		again, err := analyzer.ReAnalyze(cancel)
		if err != nil {
			return fmt.Errorf("analysis: %v", err)
		}
		result = again
		seen := map[string]bool{}
		for _, m := range again.Messages {
			message := toMessage(m)
			key := message.Code + "\x00" + resourceKey(message.Resource) + "\x00" + message.Message
			if seen[key] {
				continue
			}
			seen[key] = true
			counts[key]++
			first[key] = message
		}
	}
	output := analysisOutput{Messages: []analyzerMessage{}, Unstable: []unstableMessage{}, Executed: sorted(result.ExecutedAnalyzers), Skipped: sorted(result.SkippedAnalyzers)}
	for key, count := range counts {
		if count == *analysisRuns {
			output.Messages = append(output.Messages, first[key])
		} else {
			output.Unstable = append(output.Unstable, unstableMessage{analyzerMessage: first[key], Runs: count, Of: *analysisRuns})
		}
	}
	sort.SliceStable(output.Unstable, func(i, j int) bool {
		a, b := output.Unstable[i], output.Unstable[j]
		return a.Code+"\x00"+resourceKey(a.Resource)+"\x00"+a.Message < b.Code+"\x00"+resourceKey(b.Resource)+"\x00"+b.Message
	})
	sort.SliceStable(output.Messages, func(i, j int) bool {
		a, b := output.Messages[i], output.Messages[j]
		return a.Code+"\x00"+resourceKey(a.Resource)+"\x00"+a.Message < b.Code+"\x00"+resourceKey(b.Resource)+"\x00"+b.Message
	})
	return writeJSON(stdout, output)
}

func toMessage(m diag.Message) analyzerMessage {
	out := analyzerMessage{
		Code:    m.Type.Code(),
		Level:   m.Type.Level().String(),
		Message: fmt.Sprintf(m.Type.Template(), m.Parameters...),
	}
	if m.Resource != nil {
		out.Resource = &analyzedResource{
			Kind:      m.Resource.Metadata.Schema.Kind(),
			Namespace: m.Resource.Metadata.FullName.Namespace.String(),
			Name:      m.Resource.Metadata.FullName.Name.String(),
		}
	}
	return out
}

func resourceKey(r *analyzedResource) string {
	if r == nil {
		return ""
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}

func sorted(values []string) []string {
	out := append([]string{}, values...)
	sort.Strings(out)
	return out
}
