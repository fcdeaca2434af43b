// Command metric-names lists every metric the Temporal server (go.temporal.io/server,
// the version pinned in go.mod) defines through the metrics.New*Def constructors,
// and writes them as JSON sorted by name.
//
// Usage (from this directory):
//
//	go run . > ../../test/fixtures/temporal-metrics-v1.32.2.json
//
// How it works:
//
//  1. Source scan (go/ast): every non-test .go file of the server module is
//     parsed and every call to metrics.NewCounterDef / NewTimerDef /
//     NewBytesHistogramDef / NewDimensionlessHistogramDef / NewGaugeDef is
//     recorded with its name (must be a string literal), its
//     WithDescription/WithUnit options, and the constructor, which gives the
//     metric type (the type is not stored anywhere at runtime).
//  2. Runtime cross-check (reflection): this binary links the packages that
//     contain those calls (blank imports below), so their package
//     initialisers register every definition in the unexported
//     common/metrics.globalRegistry, which we read through go:linkname. The
//     tool fails unless the registry and the source scan agree exactly on
//     names, descriptions and units, and unless every package in which the
//     scan found a definition is linked in (so a new file with definitions in
//     a later server version cannot be missed silently).
//
// The output is deterministic: metrics are sorted by name, files by path, and
// the JSON encoder sorts nothing else (struct field order is fixed).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	_ "unsafe" // go:linkname

	"go.temporal.io/server/common/metrics"

	// Packages outside common/metrics that call metrics.New*Def in their
	// static initialisers (go.temporal.io/server v1.32.2). The source scan
	// checks that this list is complete.
	_ "go.temporal.io/server/chasm/lib/callback"
	_ "go.temporal.io/server/chasm/lib/nexusoperation"
	_ "go.temporal.io/server/common/persistence/visibility/store/elasticsearch"
	_ "go.temporal.io/server/common/searchattribute"
)

const (
	serverModule  = "go.temporal.io/server"
	metricsImport = serverModule + "/common/metrics"
)

// linkedPackages must list metricsImport plus every blank import above.
var linkedPackages = []string{
	metricsImport,
	serverModule + "/chasm/lib/callback",
	serverModule + "/chasm/lib/nexusoperation",
	serverModule + "/common/persistence/visibility/store/elasticsearch",
	serverModule + "/common/searchattribute",
}

// metricDefinition mirrors common/metrics.metricDefinition of v1.32.2 as
// compiled without the TEMPORAL_DEBUG build tag (defs_base.go):
//
//	type metricDefinition struct {
//		name        string
//		description string
//		unit        MetricUnit
//	}
type metricDefinition struct {
	name        string
	description string
	unit        metrics.MetricUnit
}

// registry mirrors common/metrics.registry (registry.go).
type registry struct {
	sync.Mutex
	definitions []metricDefinition
}

//go:linkname globalRegistry go.temporal.io/server/common/metrics.globalRegistry
var globalRegistry registry

// constructors maps each New*Def constructor to the metric type it creates
// and the unit it implies (NewBytesHistogramDef/NewDimensionlessHistogramDef
// append WithUnit(Bytes)/WithUnit(Dimensionless), see defs.go).
var constructors = map[string]struct {
	typ  string
	unit metrics.MetricUnit
}{
	"NewCounterDef":                {"counter", ""},
	"NewTimerDef":                  {"timer", ""},
	"NewBytesHistogramDef":         {"histogram", metrics.Bytes},
	"NewDimensionlessHistogramDef": {"histogram", metrics.Dimensionless},
	"NewGaugeDef":                  {"gauge", ""},
}

// unitConsts resolves the metrics.MetricUnit constants (consts.go) that may
// appear in WithUnit(...).
var unitConsts = map[string]metrics.MetricUnit{
	"Dimensionless": metrics.Dimensionless,
	"Milliseconds":  metrics.Milliseconds,
	"Bytes":         metrics.Bytes,
	"Seconds":       metrics.Seconds,
}

// unitNames gives the unit written to the JSON. Timers have no declared unit:
// they record a time.Duration and the reporter picks the unit (see the
// "prometheus" note), so they get "duration".
var unitNames = map[metrics.MetricUnit]string{
	metrics.Dimensionless: "dimensionless",
	metrics.Milliseconds:  "milliseconds",
	metrics.Bytes:         "bytes",
	metrics.Seconds:       "seconds",
}

type found struct {
	name        string
	typ         string
	unit        metrics.MetricUnit
	description string
	file        string // relative to the module root, slash-separated
	pkgPath     string
}

type Metric struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Unit        string `json:"unit,omitempty"`
	Description string `json:"description,omitempty"`
	File        string `json:"file"`
}

type Output struct {
	Source     string     `json:"source"`
	Files      []string   `json:"files"`
	Count      int        `json:"count"`
	Prometheus Prometheus `json:"prometheus"`
	Metrics    []Metric   `json:"metrics"`
}

func detectServerDir() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", serverModule).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %w (pass -src)", serverModule, err)
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("go list -m %s printed nothing (pass -src)", serverModule)
	}
	return dir, nil
}

func detectServerVersion() string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", serverModule).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// metricsName returns the local name under which file f imports
// common/metrics ("" if it does not), or "." semantics for the metrics
// package itself, signalled by inPkg.
func metricsName(f *ast.File) string {
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if p != metricsImport {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return "metrics"
	}
	return ""
}

// callee returns the constructor/option name if call is `pkg.Name(...)` with
// pkg == qual, or `Name(...)` when inPkg.
func callee(call *ast.CallExpr, qual string, inPkg bool) string {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		if inPkg {
			return fn.Name
		}
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok && qual != "" && x.Name == qual {
			return fn.Sel.Name
		}
	}
	return ""
}

// stringLit evaluates a string literal or a "+" concatenation of them.
func stringLit(e ast.Expr) (string, bool) {
	if p, ok := e.(*ast.ParenExpr); ok {
		return stringLit(p.X)
	}
	if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
		l, okL := stringLit(b.X)
		r, okR := stringLit(b.Y)
		return l + r, okL && okR
	}
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

func scan(srcDir string) ([]found, error) {
	var out []found
	fset := token.NewFileSet()
	err := filepath.WalkDir(srcDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != srcDir && (n == "testdata" || n == "vendor" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		// Cheap pre-filter; the AST decides.
		if !bytes.Contains(src, []byte("Def(")) {
			return nil
		}
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(srcDir, path)
		rel = filepath.ToSlash(rel)
		relDir := filepath.ToSlash(filepath.Dir(rel))
		pkgPath := serverModule + "/" + relDir
		inPkg := pkgPath == metricsImport
		qual := metricsName(f)
		if !inPkg && qual == "" {
			return nil
		}
		var walkErr error
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || walkErr != nil {
				return walkErr == nil
			}
			ctor, ok := constructors[callee(call, qual, inPkg)]
			if !ok {
				return true
			}
			pos := fset.Position(call.Pos())
			where := fmt.Sprintf("%s:%d", rel, pos.Line)
			if len(call.Args) == 0 {
				walkErr = fmt.Errorf("%s: constructor call without a name", where)
				return false
			}
			name, ok := stringLit(call.Args[0])
			if !ok {
				walkErr = fmt.Errorf("%s: metric name is not a string literal; extend the tool", where)
				return false
			}
			m := found{name: name, typ: ctor.typ, file: rel, pkgPath: pkgPath}
			for _, a := range call.Args[1:] {
				oc, ok := a.(*ast.CallExpr)
				if !ok || len(oc.Args) != 1 {
					walkErr = fmt.Errorf("%s: unsupported option expression for %q", where, name)
					return false
				}
				switch callee(oc, qual, inPkg) {
				case "WithDescription":
					s, ok := stringLit(oc.Args[0])
					if !ok {
						walkErr = fmt.Errorf("%s: WithDescription of %q is not a string literal", where, name)
						return false
					}
					m.description = s
				case "WithUnit":
					var id string
					switch u := oc.Args[0].(type) {
					case *ast.Ident:
						id = u.Name
					case *ast.SelectorExpr:
						id = u.Sel.Name
					}
					unit, ok := unitConsts[id]
					if !ok {
						walkErr = fmt.Errorf("%s: WithUnit of %q is not a known MetricUnit constant", where, name)
						return false
					}
					m.unit = unit
				default:
					walkErr = fmt.Errorf("%s: unknown option for %q", where, name)
					return false
				}
			}
			// The histogram constructors append their unit after the caller's options.
			if ctor.unit != "" {
				m.unit = ctor.unit
			}
			out = append(out, m)
			return true
		})
		return walkErr
	})
	return out, err
}

func crossCheck(defs []found) error {
	linked := map[string]bool{}
	for _, p := range linkedPackages {
		linked[p] = true
	}
	var problems []string
	for _, d := range defs {
		if !linked[d.pkgPath] {
			problems = append(problems, fmt.Sprintf("%s defines %q but package %s is not linked into the tool (add a blank import and extend linkedPackages)", d.file, d.name, d.pkgPath))
		}
	}

	globalRegistry.Lock()
	reg := append([]metricDefinition(nil), globalRegistry.definitions...)
	globalRegistry.Unlock()
	if len(reg) == 0 {
		return fmt.Errorf("metrics.globalRegistry is empty (struct layout changed? built with TEMPORAL_DEBUG?)")
	}
	byName := map[string]metricDefinition{}
	for _, r := range reg {
		if _, dup := byName[r.name]; dup {
			problems = append(problems, fmt.Sprintf("registry: %q registered twice", r.name))
		}
		byName[r.name] = r
	}
	seen := map[string]bool{}
	for _, d := range defs {
		if seen[d.name] {
			problems = append(problems, fmt.Sprintf("source: %q defined twice", d.name))
		}
		seen[d.name] = true
		r, ok := byName[d.name]
		if !ok {
			problems = append(problems, fmt.Sprintf("source: %q (%s) not in the runtime registry", d.name, d.file))
			continue
		}
		if r.description != d.description || r.unit != d.unit {
			problems = append(problems, fmt.Sprintf("%q: source says (%q, %q), registry says (%q, %q)", d.name, d.description, d.unit, r.description, r.unit))
		}
	}
	for _, r := range reg {
		if !seen[r.name] {
			problems = append(problems, fmt.Sprintf("registry: %q not found by the source scan", r.name))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("source scan and runtime registry disagree:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

func run(srcDir string) error {
	if srcDir == "" {
		var err error
		if srcDir, err = detectServerDir(); err != nil {
			return err
		}
	}
	defs, err := scan(srcDir)
	if err != nil {
		return err
	}
	if err := crossCheck(defs); err != nil {
		return err
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].name < defs[j].name })
	defined := map[string]bool{}
	for _, d := range defs {
		defined[d.name] = true
	}
	for _, k := range prometheusNote.KeySeries {
		if !defined[k.Metric] {
			return fmt.Errorf("prometheus note: key series %q is not a defined metric", k.Metric)
		}
	}

	version := detectServerVersion()
	fileSet := map[string]bool{}
	out := Output{
		Source:     fmt.Sprintf("%s@%s: metrics.New*Def calls (go/ast scan of the module source, cross-checked against the runtime metrics registry); generated by tools/metric-names", serverModule, version),
		Count:      len(defs),
		Prometheus: prometheusNote,
		Metrics:    make([]Metric, 0, len(defs)),
	}
	for _, d := range defs {
		fileSet[d.file] = true
		unit := unitNames[d.unit]
		if d.typ == "timer" && unit == "" {
			unit = "duration"
		}
		out.Metrics = append(out.Metrics, Metric{Name: d.name, Type: d.typ, Unit: unit, Description: d.description, File: d.file})
	}
	for f := range fileSet {
		out.Files = append(out.Files, f)
	}
	sort.Strings(out.Files)

	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func main() {
	srcDir := flag.String("src", "", "go.temporal.io/server source dir (default: `go list -m` of the version in go.mod)")
	flag.Parse()
	if err := run(*srcDir); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
