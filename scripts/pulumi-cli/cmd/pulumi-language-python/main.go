// Command pulumi-language-python is this project's Python language host for the Pulumi
// engine: the plugin that `pulumi preview/up/destroy` start for `runtime: python`.
//
// Why our own: the upstream host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3), which the Go
// module proxy reachable from our machines and CI does not serve. The engine talks to a
// language host only through the LanguageRuntime gRPC service (sdk/proto/language.proto),
// so this program implements that service on top of the published sdk/v3 module at the
// same release as the CLI:
//
//   - Python environments are resolved by sdk/v3/python/toolchain (the package the
//     upstream host uses): `options.virtualenv` and `options.toolchain` in Pulumi.yaml
//     behave as upstream (relative paths from the project root, pip/poetry/uv).
//   - Programs run through the upstream `pulumi-language-python-exec` shim, which
//     scripts/install-pulumi.sh copies from the same sdk/v3 release next to this binary.
//     It receives the same flags and PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS variables.
//
// Left out, as the engine does not need them for deployments: program/project/package
// code generation, packing, linking, plugin programs written in Python, templates,
// typecheckers and the debugger. Those calls answer Unimplemented or a clear error.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

const (
	execShimName = "pulumi-language-python-exec"

	// The exec shim exits with this code after it has already shown the user an
	// actionable error; the engine should then not add a generic one.
	exitCodeUserActionable = 32
)

func main() {
	var tracing, executor string
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible endpoint")
	flag.StringVar(&executor, "use-executor", "",
		"Run programs with this exec shim instead of the one next to this binary")
	// Accepted for compatibility with older engines; options come from RunRequest.Info.
	for _, name := range []string{"virtualenv", "root", "typechecker", "toolchain"} {
		flag.String(name, "", "obsolete, ignored")
	}
	flag.Parse()
	logging.InitLogging(false, 0, false)
	cmdutil.InitTracing("pulumi-language-python", "pulumi-language-python", tracing)

	if executor == "" {
		self, err := os.Executable()
		if err != nil {
			cmdutil.Exit(fmt.Errorf("locating this executable: %w", err))
		}
		if resolved, err := filepath.EvalSymlinks(self); err == nil {
			self = resolved
		}
		executor = filepath.Join(filepath.Dir(self), execShimName)
		if _, err := os.Stat(executor); err != nil {
			cmdutil.Exit(fmt.Errorf("missing %s next to the language host (rerun "+
				"scripts/install-pulumi.sh): %w", execShimName, err))
		}
	}

	var engineAddress string
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	cancel := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(cancel)
	}()
	if engineAddress != "" {
		// Exit when the engine goes away, like every plugin.
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("starting the engine health check: %w", err))
		}
	}

	host := &languageHost{exec: executor, engineAddress: engineAddress, tracing: tracing}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("starting the language host gRPC server: %w", err))
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host gRPC server stopped: %w", err))
	}
}

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	exec          string
	engineAddress string
	tracing       string
}

// pythonOptions turns Pulumi.yaml `runtime.options` into toolchain options.
func pythonOptions(info *pulumirpc.ProgramInfo) (toolchain.PythonOptions, error) {
	if info == nil {
		return toolchain.PythonOptions{Toolchain: toolchain.Pip}, nil
	}
	opts := toolchain.PythonOptions{Root: info.RootDirectory, ProgramDir: info.ProgramDirectory}
	raw := info.GetOptions().AsMap()
	if v, ok := raw["virtualenv"]; ok {
		s, isString := v.(string)
		if !isString {
			return opts, errors.New("the runtime option virtualenv must be a string")
		}
		opts.Virtualenv = s
	}
	if v, ok := raw["toolchain"]; ok {
		switch v {
		case "pip":
			opts.Toolchain = toolchain.Pip
		case "poetry":
			opts.Toolchain = toolchain.Poetry
		case "uv":
			opts.Toolchain = toolchain.Uv
		default:
			return opts, fmt.Errorf("unsupported runtime option toolchain: %v (pip, poetry or uv)", v)
		}
	}
	if v, ok := raw["typechecker"]; ok && v != "" {
		return opts, fmt.Errorf("the runtime option typechecker (%v) is not supported by this "+
			"project's language host; run the typechecker yourself", v)
	}
	return opts, nil
}

func (h *languageHost) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.EngineAddress
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// Run executes the program through the exec shim in the resolved Python environment.
func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if req.GetAttachDebugger() {
		return &pulumirpc.RunResponse{Error: "debugging is not supported by this project's language host"}, nil
	}
	opts, err := pythonOptions(req.GetInfo())
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return nil, err
	}

	args := []string{h.exec}
	flagArg := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagArg("monitor", req.GetMonitorAddress())
	flagArg("engine", h.engineAddress)
	flagArg("project", req.GetProject())
	flagArg("root_directory", req.GetInfo().GetRootDirectory())
	flagArg("stack", req.GetStack())
	flagArg("pwd", req.GetPwd())
	flagArg("dry_run", strconv.FormatBool(req.GetDryRun()))
	flagArg("parallel", strconv.Itoa(int(req.GetParallel())))
	flagArg("tracing", h.tracing)
	flagArg("organization", req.GetOrganization())
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, fmt.Errorf("serializing config: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing secret config keys: %w", err)
	}

	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return nil, err
	}
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	cmd.Env = append(env,
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	logging.V(5).Infof("language host running: %s", strings.Join(cmd.Args, " "))

	if err := cmd.Run(); err != nil {
		// Let the engine read everything the program printed before it reports.
		_ = os.Stdout.Sync()
		_ = os.Stderr.Sync()
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("could not run the Python program: %v", err),
			}, nil
		}
		code := -1
		if status, ok := exitErr.Sys().(syscall.WaitStatus); ok {
			code = status.ExitStatus()
		}
		if code == exitCodeUserActionable {
			return &pulumirpc.RunResponse{Bail: true}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("program exited with non-zero exit code: %d", code),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// installedPackagesScript prints, as JSON, every installed distribution with the path of
// the pulumi-plugin.json inside its top-level package (empty when there is none). The
// module is located with importlib (without importing it), which also finds editable
// installs.
const installedPackagesScript = `
import importlib.metadata, importlib.util, json, os
seen, out = set(), []
for dist in importlib.metadata.distributions():
    name = dist.metadata["Name"]
    if not name or name.lower() in seen:
        continue
    seen.add(name.lower())
    plugin_json = ""
    try:
        spec = importlib.util.find_spec(name.replace("-", "_").replace(".", "_"))
    except Exception:
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        candidate = os.path.join(location, "pulumi-plugin.json")
        if os.path.isfile(candidate):
            plugin_json = candidate
            break
    out.append({"name": name, "version": dist.version, "plugin_json": plugin_json})
print(json.dumps(out))
`

// Python packages known to have no resource plugin even though their names say pulumi.
var packagesWithoutPlugins = map[string]bool{"pulumi-policy": true, "pulumi-esc-sdk": true}

// GetRequiredPackages reports the resource plugins that the program's Python packages
// need: packages that ship a pulumi-plugin.json, and packages named pulumi-* / pulumi_*
// (plugin name and version derived from theirs). A pulumi-plugin.json with
// "resource": false opts a package out. It also creates the virtualenv named in
// Pulumi.yaml when it does not exist yet, as upstream does.
func (h *languageHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	opts, err := pythonOptions(req.GetInfo())
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	stdout, stderr, closeLog := h.engineLogWriters(ctx)
	defer closeLog()
	if err := tc.EnsureVenv(ctx, req.GetInfo().GetProgramDirectory(), false, true, stdout, stderr); err != nil {
		return nil, err
	}

	cmd, err := tc.Command(ctx, "-c", installedPackagesScript)
	if err != nil {
		return nil, err
	}
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing installed Python packages: %w", err)
	}
	var installed []struct {
		Name       string `json:"name"`
		Version    string `json:"version"`
		PluginJSON string `json:"plugin_json"`
	}
	if err := json.Unmarshal(out, &installed); err != nil {
		return nil, fmt.Errorf("parsing the installed Python packages: %w", err)
	}

	packages := []*pulumirpc.PackageDependency{}
	for _, pkg := range installed {
		normalized := strings.ReplaceAll(strings.ToLower(pkg.Name), "_", "-")
		isPulumiNamed := strings.HasPrefix(normalized, "pulumi-")
		if packagesWithoutPlugins[normalized] || (!isPulumiNamed && pkg.PluginJSON == "") {
			continue
		}
		dep := &pulumirpc.PackageDependency{Kind: "resource"}
		if pkg.PluginJSON != "" {
			meta, err := plugin.LoadPulumiPluginJSON(pkg.PluginJSON)
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", pkg.PluginJSON, err)
			}
			if !meta.Resource {
				continue
			}
			dep.Name, dep.Version, dep.Server = meta.Name, meta.Version, meta.Server
			if p := meta.Parameterization; p != nil {
				dep.Parameterization = &pulumirpc.PackageParameterization{
					Name: p.Name, Version: p.Version, Value: p.Value,
				}
			}
		}
		if dep.Name == "" {
			dep.Name = strings.TrimPrefix(normalized, "pulumi-")
		}
		if dep.Version == "" {
			v, ok := pep440ToSemver(pkg.Version)
			if !ok {
				logging.V(5).Infof("no plugin version for %s %s", pkg.Name, pkg.Version)
				continue
			}
			dep.Version = v
		}
		if !strings.HasPrefix(dep.Version, "v") {
			dep.Version = "v" + dep.Version
		}
		packages = append(packages, dep)
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: packages}, nil
}

var pep440Pattern = regexp.MustCompile(
	`^(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?$`)

// pep440ToSemver maps the PEP 440 versions that Pulumi packages use to plugin versions:
// 1.2 -> 1.2.0, 1.2.3a4 -> 1.2.3-alpha.4, 1.2.3rc1 -> 1.2.3-rc.1, 1.2.3.post4 -> 1.2.3+post4,
// 1.2.3.dev5 -> 1.2.3+dev5, 1.2.3.post4.dev5 -> 1.2.3+post4dev5.
func pep440ToSemver(v string) (string, bool) {
	m := pep440Pattern.FindStringSubmatch(v)
	if m == nil {
		return "", false
	}
	segments := strings.Split(m[1], ".")
	for len(segments) < 3 {
		segments = append(segments, "0")
	}
	result := strings.Join(segments, ".")
	if m[2] != "" {
		label := map[string]string{"a": "alpha", "b": "beta", "rc": "rc"}[m[2]]
		result += "-" + label + "." + m[3]
	}
	build := ""
	if m[4] != "" {
		build += "post" + m[4]
	}
	if m[5] != "" {
		build += "dev" + m[5]
	}
	if build != "" {
		result += "+" + build
	}
	return result, true
}

func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	opts, err := pythonOptions(req.GetInfo())
	if err != nil {
		return err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.IsTerminal)
	if err != nil {
		return err
	}
	defer closer.Close()
	if err := tc.InstallDependencies(server.Context(), req.GetInfo().GetProgramDirectory(),
		req.UseLanguageVersionTools, true, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

func (h *languageHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

func (h *languageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	opts, err := pythonOptions(req.GetInfo())
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	info, err := tc.About(ctx)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.AboutResponse{
		Executable: info.PythonExecutable,
		Version:    info.PythonVersion.String(),
	}, nil
}

func (h *languageHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	opts, err := pythonOptions(req.GetInfo())
	if err != nil {
		return nil, err
	}
	tc, err := toolchain.ResolveToolchain(opts)
	if err != nil {
		return nil, err
	}
	deps, err := tc.ListPackages(ctx, req.TransitiveDependencies)
	if err != nil {
		return nil, err
	}
	result := make([]*pulumirpc.DependencyInfo, 0, len(deps))
	for _, d := range deps {
		result = append(result, &pulumirpc.DependencyInfo{Name: d.Name, Version: d.Version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: result}, nil
}

func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// engineLogWriters returns writers that show text as ephemeral engine log messages
// (virtualenv creation output, for example), or discard it without an engine.
func (h *languageHost) engineLogWriters(ctx context.Context) (io.Writer, io.Writer, func()) {
	if h.engineAddress == "" {
		return io.Discard, io.Discard, func() {}
	}
	conn, err := grpc.NewClient(h.engineAddress,
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		return io.Discard, io.Discard, func() {}
	}
	client := pulumirpc.NewEngineClient(conn)
	stream := rand.Int31() //nolint:gosec // a stream id, not a secret
	info := &engineLog{ctx: ctx, client: client, stream: stream, severity: pulumirpc.LogSeverity_INFO}
	errs := &engineLog{ctx: ctx, client: client, stream: stream, severity: pulumirpc.LogSeverity_ERROR}
	return info, errs, func() { _ = conn.Close() }
}

type engineLog struct {
	ctx      context.Context
	client   pulumirpc.EngineClient
	stream   int32
	severity pulumirpc.LogSeverity
}

func (w *engineLog) Write(p []byte) (int, error) {
	_, err := w.client.Log(w.ctx, &pulumirpc.LogRequest{
		Message:   strings.ToValidUTF8(string(p), "\uFFFD"),
		Ephemeral: true,
		StreamId:  w.stream,
		Severity:  w.severity,
	})
	if err != nil {
		return 0, err
	}
	return len(p), nil
}
