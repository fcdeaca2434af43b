// Command config-decode loads server config files the way `temporal-server start` does in
// go.temporal.io/server v1.32.2 (config.Load(config.WithConfigFile(path)): the `# enable-template`
// header, the Go template with sprig's functions reading the process env, yaml.v3, the validator)
// and prints what the server decoded, so that a test can compare it with the props it came from.
//
// Input (stdin): a JSON array of cases, each {"config": "<file text>", "env": {"NAME": "value"}}.
// The process env is replaced by a case's env while that case loads, as a pod's env would be.
//
// Output (stdout): a JSON array, one result per case, in order:
//
//	{"config": <the decoded config.Config>, "loadError": "...", "strictError": "...", "rendered": "..."}
//
//   - config is the struct written with the YAML key names the loader reads (the same naming rules
//     as tools/config-keys), so a path like persistence.datastores.default.sql.databaseName names
//     the same field in the file and here. time.Duration values are written as Go durations
//     ("30s"), nil pointers as null;
//   - loadError is config.Load's error (empty when it loaded);
//   - strictError is yaml.v3's error when the rendered file is decoded again into config.Config
//     with KnownFields(true): a key the server's structs do not have, which the server itself
//     ignores without a word;
//   - rendered is the file after the server's template step, as yaml.v3 reads it;
//   - mysqlDSNAttrs holds, for each MySQL datastore of a config that loaded, the parameters the
//     server's MySQL plugin hands its driver ({"attrs": {...}} or {"error": "..."}), made by the
//     plugin's own code from the store's connectAttributes, as a default or a visibility store.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"
	_ "unsafe" // go:linkname

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/persistence/sql/sqlplugin"
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/mysql/session" // mysqlDSNAttrs
	"gopkg.in/yaml.v3"
)

// processConfigFile is the loader's template step (common/config/loader.go), used here as it is so
// that the strict decode reads exactly the bytes config.Load decodes.
//
//go:linkname processConfigFile go.temporal.io/server/common/config.processConfigFile
func processConfigFile(data []byte, filename string) ([]byte, error)

// mysqlDSNAttrs is the MySQL plugin's step from sql.connectAttributes to the driver's parameters
// (sqlplugin/mysql/session): the default isolation level, the attributes it always sets, and
// interpolateParams, which it refuses on a visibility store. The password command is never run.
//
//go:linkname mysqlDSNAttrs go.temporal.io/server/common/persistence/sql/sqlplugin/mysql/session.buildDSNAttrs
func mysqlDSNAttrs(dbKind sqlplugin.DbKind, cfg *config.SQL) (map[string]string, error)

type dsnAttrs struct {
	Attrs map[string]string `json:"attrs,omitempty"`
	Error string            `json:"error,omitempty"`
}

type inputCase struct {
	Config string            `json:"config"`
	Env    map[string]string `json:"env"`
}

type result struct {
	Config      any    `json:"config"`
	LoadError   string `json:"loadError"`
	StrictError string `json:"strictError"`
	Rendered    string `json:"rendered"`

	MysqlDSNAttrs map[string]dsnAttrs `json:"mysqlDSNAttrs"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "config-decode:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	var cases []inputCase
	if err := json.NewDecoder(in).Decode(&cases); err != nil {
		return fmt.Errorf("reading the cases from stdin: %w", err)
	}
	dir, err := os.MkdirTemp("", "config-decode-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The loader logs through the standard logger; stdout is the results only.
	results := make([]result, 0, len(cases))
	for i, c := range cases {
		results = append(results, decodeCase(filepath.Join(dir, fmt.Sprintf("config-%d.yaml", i)), c))
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	return enc.Encode(results)
}

func decodeCase(path string, c inputCase) result {
	var r result
	if err := os.WriteFile(path, []byte(c.Config), 0o600); err != nil {
		r.LoadError = err.Error()
		return r
	}
	os.Clearenv()
	for k, v := range c.Env {
		if err := os.Setenv(k, v); err != nil {
			r.LoadError = fmt.Sprintf("setting env %s: %v", k, err)
			return r
		}
	}
	defer os.Clearenv()

	cfg, err := config.Load(config.WithConfigFile(path))
	if err != nil {
		r.LoadError = err.Error()
	} else {
		r.Config = plain(reflect.ValueOf(cfg))
		r.MysqlDSNAttrs = mysqlAttrs(cfg.Persistence)
	}

	rendered, err := processConfigFile([]byte(c.Config), filepath.Base(path))
	if err != nil {
		if r.LoadError == "" {
			r.LoadError = err.Error()
		}
		return r
	}
	r.Rendered = string(rendered)
	dec := yaml.NewDecoder(bytes.NewReader(rendered))
	dec.KnownFields(true)
	if err := dec.Decode(&config.Config{}); err != nil && err != io.EOF {
		r.StrictError = err.Error()
	}
	return r
}

func mysqlAttrs(p config.Persistence) map[string]dsnAttrs {
	out := map[string]dsnAttrs{}
	for name, ds := range p.DataStores {
		if ds.SQL == nil || ds.SQL.PluginName != "mysql8" {
			continue
		}
		kind := sqlplugin.DbKindMain
		if name == p.VisibilityStore || name == p.SecondaryVisibilityStore {
			kind = sqlplugin.DbKindVisibility
		}
		sql := *ds.SQL
		attrs, err := mysqlDSNAttrs(kind, &sql)
		if err != nil {
			out[name] = dsnAttrs{Error: err.Error()}
		} else {
			out[name] = dsnAttrs{Attrs: attrs}
		}
	}
	return out
}

var durationType = reflect.TypeFor[time.Duration]()

// plain turns a decoded value into maps, slices and scalars keyed by the YAML names yaml.v3 reads
// each field from (gopkg.in/yaml.v3 getStructInfo: the tag's name, else the lowercased field name;
// "-" skips; ",inline" merges into the parent).
func plain(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	if v.Type() == durationType {
		return time.Duration(v.Int()).String()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return plain(v.Elem())
	case reflect.Struct:
		out := map[string]any{}
		structFields(v, out)
		return out
	case reflect.Map:
		if v.IsNil() {
			return nil
		}
		out := map[string]any{}
		iter := v.MapRange()
		for iter.Next() {
			out[fmt.Sprint(iter.Key().Interface())] = plain(iter.Value())
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes())
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = plain(v.Index(i))
		}
		return out
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return nil
	default:
		return v.Interface()
	}
}

func structFields(v reflect.Value, out map[string]any) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		field := t.Field(i)
		if field.PkgPath != "" && !field.Anonymous {
			continue
		}
		tag := field.Tag.Get("yaml")
		if tag == "" && !strings.Contains(string(field.Tag), ":") {
			tag = string(field.Tag)
		}
		if tag == "-" {
			continue
		}
		name, flags, _ := strings.Cut(tag, ",")
		fv := v.Field(i)
		if strings.Contains(","+flags+",", ",inline,") {
			switch inner := plain(fv).(type) {
			case map[string]any:
				for k, x := range inner {
					out[k] = x
				}
			}
			continue
		}
		if field.PkgPath != "" {
			continue
		}
		if name == "" {
			name = strings.ToLower(field.Name)
		}
		out[name] = plain(fv)
	}
}
