#!/usr/bin/env bash
# Builds and lints every Bicep file under infra/ with the Bicep CLI restored from NuGet
# (Azure.Bicep.CommandLine.linux-x64, pinned in infra/tools/bicep-cli.csproj). Fails on any error
# or warning. Compiled output goes to a temporary folder, never into the repository.
# Usage: bash infra/build.sh   (from any working directory)
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools_project="$infra_dir/tools/bicep-cli.csproj"
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

# --- Get the Bicep CLI -------------------------------------------------------------------------
package_id="azure.bicep.commandline.linux-x64"
version="$(sed -n 's/.*Include="Azure.Bicep.CommandLine.linux-x64" Version="\[\([^]]*\)\]".*/\1/p' "$tools_project")"
if [[ -z "$version" ]]; then
  echo "build.sh: cannot read the Bicep CLI version from $tools_project" >&2
  exit 1
fi

packages_dir="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: *//p')"
packages_dir="${packages_dir%/}"
bicep_in_package="$packages_dir/$package_id/$version/tools/bicep"

if [[ ! -f "$bicep_in_package" ]]; then
  echo "Restoring the Bicep CLI $version from NuGet..."
  # Run from the project folder so the repository's global.json and Directory.Build.props apply;
  # restore's obj/ output goes to the temporary folder.
  (cd "$infra_dir/tools" && dotnet restore "$tools_project" --nologo --verbosity quiet \
    -p:BaseIntermediateOutputPath="$work_dir/obj/")
fi
if [[ ! -f "$bicep_in_package" ]]; then
  echo "build.sh: the package did not contain tools/bicep at $bicep_in_package" >&2
  exit 1
fi

bicep="$bicep_in_package"
if [[ ! -x "$bicep" ]]; then
  # NuGet extracts the binary with the owner's execute bit only; use a private executable copy.
  cp "$bicep_in_package" "$work_dir/bicep"
  chmod +x "$work_dir/bicep"
  bicep="$work_dir/bicep"
fi
export BICEP_TRACING_ENABLED=false

# --- Build and lint ----------------------------------------------------------------------------
failures=0
checked=0
log="$work_dir/last.log"

# run LABEL COMMAND...: runs the command, fails the step on a non-zero exit or any
# "Warning"/"Error" diagnostic in its output.
run() {
  local label="$1"; shift
  checked=$((checked + 1))
  if "$@" >"$log" 2>&1 && ! grep -Eq ' : (Warning|Error) ' "$log"; then
    printf '  ok    %s\n' "$label"
  else
    printf '  FAIL  %s\n' "$label"
    sed 's/^/        /' "$log"
    failures=$((failures + 1))
  fi
}

cd "$infra_dir"
mapfile -t bicep_files < <(find . -name '*.bicep' -not -path './tools/*' -not -path '*/obj/*' -not -path '*/bin/*' | sed 's|^\./||' | sort)
mapfile -t param_files < <(find . -name '*.bicepparam' -not -path './tools/*' | sed 's|^\./||' | sort)

echo "Bicep CLI: $("$bicep" --version)"

# Bicep types loadJsonContent() loosely (a container missing a property still compiles), so the
# shared container definitions get their own shape check.
run "shape  cosmos/containers.json" python3 - "$infra_dir/cosmos/containers.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
problems = []
if not isinstance(doc.get("databaseName"), str) or not doc["databaseName"]:
    problems.append("databaseName must be a non-empty string")
containers = doc.get("containers")
if not isinstance(containers, list) or not containers:
    problems.append("containers must be a non-empty array")
    containers = []
names = [c.get("name") for c in containers if isinstance(c, dict)]
if len(names) != len(set(names)):
    problems.append("container names must be unique")
for i, c in enumerate(containers):
    where = f"containers[{i}] ({c.get('name') if isinstance(c, dict) else '?'})"
    if not isinstance(c, dict):
        problems.append(f"{where}: must be an object"); continue
    extra = set(c) - {"name", "partitionKeyPath", "defaultTtl", "indexingPolicy"}
    if extra:
        problems.append(f"{where}: unknown properties {sorted(extra)}")
    if not isinstance(c.get("name"), str) or not c["name"]:
        problems.append(f"{where}: name must be a non-empty string")
    if not isinstance(c.get("partitionKeyPath"), str) or not c["partitionKeyPath"].startswith("/"):
        problems.append(f"{where}: partitionKeyPath must be a path such as /userId")
    ttl = c.get("defaultTtl", "missing")
    if not (ttl is None or (type(ttl) is int and (ttl == -1 or ttl > 0))):
        problems.append(f"{where}: defaultTtl must be present and be null, -1 or a positive number of seconds")
    policy = c.get("indexingPolicy")
    if not isinstance(policy, dict) or policy.get("indexingMode") not in ("consistent", "none"):
        problems.append(f"{where}: indexingPolicy must be an object with indexingMode consistent or none")
        continue
    for composite in policy.get("compositeIndexes", []):
        if len(composite) < 2 or any(not str(p.get("path", "")).startswith("/") or p.get("order") not in ("ascending", "descending") for p in composite):
            problems.append(f"{where}: each composite index needs 2+ paths with order ascending/descending")
for p in problems:
    print(f"{sys.argv[1]} : Error containers-json: {p}")
sys.exit(1 if problems else 0)
PY
for f in "${bicep_files[@]}"; do
  out="$work_dir/out/${f%.bicep}.json"
  mkdir -p "$(dirname "$out")"
  run "build  $f" "$bicep" build "$f" --outfile "$out"
  run "lint   $f" "$bicep" lint "$f"
done
for f in "${param_files[@]}"; do
  out="$work_dir/out/${f%.bicepparam}.parameters.json"
  mkdir -p "$(dirname "$out")"
  run "params $f" "$bicep" build-params "$f" --outfile "$out"
  run "lint   $f" "$bicep" lint "$f"
done

echo "infra/build.sh: ${#bicep_files[@]} .bicep and ${#param_files[@]} .bicepparam files, $checked checks, $failures failed"
if (( failures > 0 )); then
  exit 1
fi
