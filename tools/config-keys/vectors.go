package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/log"
)

// mapClient serves the values the server's own YAML loader read, as its file-based client does.
type mapClient dynamicconfig.ConfigValueMap

func (m mapClient) GetValue(key dynamicconfig.Key) []dynamicconfig.ConstrainedValue { return m[key] }

// runDynamicVectors reads a JSON list of value texts from stdin, each as the library writes it
// after "value: " in the dynamic config file, loads a file holding it for the duration key
// system.namespaceMinRetentionLocal with the server's loader (LoadYamlFile, which validates it
// with the key's converter), and prints one entry per text: the duration the server reads, in
// nanoseconds as a decimal string, or null where the converter refuses the value and the server
// keeps its default.
func runDynamicVectors() error {
	var texts []string
	if err := json.NewDecoder(os.Stdin).Decode(&texts); err != nil {
		return fmt.Errorf("stdin: a JSON list of value texts: %w", err)
	}
	setting := dynamicconfig.NamespaceMinRetentionLocal
	out := make([]any, len(texts))
	for i, text := range texts {
		lr := dynamicconfig.LoadYamlFile([]byte(setting.Key().String() + ":\n  - value: " + text + "\n    constraints: {}\n"))
		if len(lr.Errors) > 0 {
			return fmt.Errorf("value %s: the file does not load: %w", text, lr.Err())
		}
		if len(lr.Warnings) > 0 {
			out[i] = nil
			continue
		}
		d := setting.Get(dynamicconfig.NewCollection(mapClient(lr.Map), log.NewNoopLogger()))()
		out[i] = strconv.FormatInt(int64(d), 10)
	}
	return writeJSON(out)
}
