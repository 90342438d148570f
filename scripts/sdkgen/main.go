// sdkgen: the Python and Node.js SDKs of pulumi-resource-hostup, from its schema.
//
// Usage: sdkgen <schema.json> <out dir> [python|nodejs ...]
//
// `pulumi package gen-sdk` cannot run with the CLI this project builds (its Python
// language host does not generate packages, and there is no Node.js host), so this
// calls the same codegen packages directly, at the CLI's release. Each language goes
// to <out dir>/<language>/, replaced whole.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-hostup-sdkgen"

// noLoader refuses every external package: our schema references none.
type noLoader struct{}

var errExternal = errors.New("the hostup schema references no other package")

func (noLoader) LoadPackage(string, *semver.Version) (*schema.Package, error) {
	return nil, errExternal
}

func (noLoader) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errExternal
}

func (noLoader) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errExternal
}

func (noLoader) LoadPackageReferenceV2(
	context.Context, *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, errExternal
}

func generate(pkg *schema.Package, language string) (map[string][]byte, error) {
	switch language {
	case "python":
		return python.GeneratePackage(tool, pkg, nil, noLoader{})
	case "nodejs":
		return nodejs.GeneratePackage(tool, pkg, nil, nil, false, noLoader{})
	default:
		return nil, fmt.Errorf("unknown language %q (python, nodejs)", language)
	}
}

func run(args []string) error {
	if len(args) < 2 {
		return errors.New("usage: sdkgen <schema.json> <out dir> [python|nodejs ...]")
	}
	data, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return fmt.Errorf("%s does not bind: %s", args[0], diags.Error())
	}
	languages := args[2:]
	if len(languages) == 0 {
		languages = []string{"python", "nodejs"}
	}
	for _, language := range languages {
		files, err := generate(pkg, language)
		if err != nil {
			return fmt.Errorf("%s: %w", language, err)
		}
		dir := filepath.Join(args[1], language)
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		names := make([]string, 0, len(files))
		for name := range files {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			path := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(path, files[name], 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintf(os.Stderr, "sdkgen: %s: %d files in %s\n", language, len(files), dir)
	}
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sdkgen: error:", err)
		os.Exit(1)
	}
}
