// Command genschema writes the JSON Schema of configuration files, made by
// config.GenerateSchema from config.Kinds(), to the file -o names. It runs
// from go generate in the config package.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/outagecast/outagecast/config"
)

func main() {
	out := flag.String("o", "schema.json", "output `file`")
	flag.Parse()
	schema, err := config.GenerateSchema(config.Kinds())
	if err == nil {
		err = os.WriteFile(*out, schema, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genschema:", err)
		os.Exit(1)
	}
}
