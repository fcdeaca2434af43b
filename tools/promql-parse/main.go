// Command promql-parse reads what the library writes for Prometheus with Prometheus' own code
// (github.com/prometheus/prometheus, the version pinned in go.mod): each expression with its PromQL
// parser (syntax, types, function arguments and regular expressions, as the rule loader and the
// query API do), and each rule file with its rule file loader (rulefmt.Parse: every expression,
// `for`, label names and values, and annotation and label templates, parsed as Go templates).
//
// Usage: a JSON array of {"id", "kind": "expr" | "rules", "text"} on stdin; on stdout a JSON array
// of {"id", "error"} for the items Prometheus refuses (empty when it takes them all). Label names
// are checked as Prometheus 2 checks them (legacy validation), which Prometheus 3 also accepts.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

type item struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Text string `json:"text"`
}

type refusal struct {
	ID    string `json:"id"`
	Error string `json:"error"`
}

func main() {
	var items []item
	if err := json.NewDecoder(os.Stdin).Decode(&items); err != nil {
		fmt.Fprintln(os.Stderr, "promql-parse: stdin is not a JSON array of items:", err)
		os.Exit(2)
	}
	p := parser.NewParser(parser.Options{})
	refused := []refusal{}
	for _, it := range items {
		switch it.Kind {
		case "expr":
			if _, err := p.ParseExpr(it.Text); err != nil {
				refused = append(refused, refusal{it.ID, err.Error()})
			}
		case "rules":
			if _, errs := rulefmt.Parse([]byte(it.Text), false, model.LegacyValidation, p, nil); len(errs) > 0 {
				texts := make([]string, len(errs))
				for i, e := range errs {
					texts[i] = e.Error()
				}
				refused = append(refused, refusal{it.ID, strings.Join(texts, "; ")})
			}
		default:
			fmt.Fprintf(os.Stderr, "promql-parse: item %q has kind %q; expected expr or rules\n", it.ID, it.Kind)
			os.Exit(2)
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(refused); err != nil {
		fmt.Fprintln(os.Stderr, "promql-parse:", err)
		os.Exit(1)
	}
}
