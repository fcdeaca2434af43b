// Command cassandra-tool is temporal-cassandra-tool of the admin-tools image, built from the
// server module (go.temporal.io/server/tools/cassandra, as cmd/tools/cassandra builds it): the
// e2e test runs the schema Jobs' and schema waits' commands with their env through its CLI parser.
package main

import (
	"os"

	"go.temporal.io/server/tools/cassandra"
)

func main() {
	if err := cassandra.RunTool(os.Args); err != nil {
		os.Exit(1)
	}
}
