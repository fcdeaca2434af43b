// Command flux-substitute runs Flux's post-build variable substitution over a multi-document YAML
// stream, as the kustomize-controller does for each object it applies: the resource factory of
// kustomize reads the stream, and github.com/fluxcd/pkg/kustomize's SubstituteVariables rewrites
// each object (dry run: the variables come from the Kustomization given, not from a cluster).
//
// Input (stdin): JSON {"yaml": "<stream>", "substitute": {"NAME": "value"}, "strict": bool}.
// Output (stdout): JSON [{"kind", "name", "skipped", "error", "object"}], one entry per object in
// the order read; "object" is the object after substitution, "skipped" is true for an object the
// annotation or label kustomize.toolkit.fluxcd.io/substitute: disabled keeps from it.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/fluxcd/pkg/kustomize"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/provider"
)

type input struct {
	YAML       string            `json:"yaml"`
	Substitute map[string]string `json:"substitute"`
	Strict     bool              `json:"strict"`
}

type result struct {
	Kind    string         `json:"kind"`
	Name    string         `json:"name"`
	Skipped bool           `json:"skipped"`
	Error   string         `json:"error,omitempty"`
	Object  map[string]any `json:"object,omitempty"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail("reading the input: %v", err)
	}
	resources, err := provider.NewDefaultDepProvider().GetResourceFactory().SliceFromBytes([]byte(in.YAML))
	if err != nil {
		fail("reading the YAML stream: %v", err)
	}
	substitute := map[string]any{}
	for k, v := range in.Substitute {
		substitute[k] = v
	}
	kustomization := unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
		"kind":       "Kustomization",
		"metadata":   map[string]any{"name": "apps", "namespace": "flux-system"},
		"spec":       map[string]any{"postBuild": map[string]any{"substitute": substitute}},
	}}
	opts := []kustomize.SubstituteOption{kustomize.SubstituteWithDryRun(true), kustomize.SubstituteWithStrict(in.Strict)}
	out := []result{}
	for _, res := range resources {
		r := result{Kind: res.GetKind(), Name: res.GetName()}
		substituted, err := kustomize.SubstituteVariables(context.Background(), nil, kustomization, res, opts...)
		switch {
		case err != nil:
			r.Error = err.Error()
		case substituted == nil:
			r.Skipped = true
		default:
			obj, err := substituted.Map()
			if err != nil {
				r.Error = err.Error()
			}
			r.Object = obj
		}
		out = append(out, r)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail("writing the output: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "flux-substitute: "+format+"\n", args...)
	os.Exit(1)
}
