"""Writes the wheel of python/ from a staged tree (scripts/build-python.mjs), with the standard library only.

A wheel is a zip file with the package and a ``<name>-<version>.dist-info`` folder (METADATA, WHEEL,
entry_points.txt, RECORD); writing it here needs neither network nor the ``wheel``/``build`` packages.
Usage: build_wheel.py <python project folder> <staged tree> <output folder>; prints the wheel's path.
"""

import base64
import hashlib
import os
import sys
import tomllib
import zipfile

EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed times: the same sources give the same wheel


def metadata(project, readme):
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}", f"Summary: {project['description']}"]
    lines.append(f"License: {project.get('license', {}).get('text', '')}")
    lines.append(f"Requires-Python: {project['requires-python']}")
    for dependency in project.get("dependencies", []):
        lines.append(f"Requires-Dist: {dependency}")
    for extra, dependencies in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines.extend(f'Requires-Dist: {dependency}; extra == "{extra}"' for dependency in dependencies)
    lines.append("Description-Content-Type: text/markdown")
    return "\n".join(lines) + "\n\n" + readme


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main(project_dir, stage, out):
    with open(os.path.join(project_dir, "pyproject.toml"), "rb") as handle:
        project = tomllib.load(handle)["project"]
    with open(os.path.join(project_dir, project["readme"]), encoding="utf-8") as handle:
        readme = handle.read()
    name = project["name"].replace("-", "_")
    info = f"{name}-{project['version']}.dist-info"
    files = {}
    for folder, _, names in sorted(os.walk(stage)):
        for file in sorted(names):
            path = os.path.join(folder, file)
            with open(path, "rb") as handle:
                files[os.path.relpath(path, stage).replace(os.sep, "/")] = handle.read()
    scripts = project.get("scripts", {})
    files[f"{info}/METADATA"] = metadata(project, readme).encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: runnable-ts scripts/build_wheel.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/entry_points.txt"] = ("[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items())).encode()
    record = "".join(f"{path},{digest(data)},{len(data)}\n" for path, data in files.items()) + f"{info}/RECORD,,\n"
    wheel = os.path.join(out, f"{name}-{project['version']}-py3-none-any.whl")
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in [*files.items(), (f"{info}/RECORD", record.encode())]:
            entry = zipfile.ZipInfo(path, EPOCH)
            entry.external_attr = (0o755 if path.endswith("/bin/runnable.js") else 0o644) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    print(wheel)


if __name__ == "__main__":
    main(*sys.argv[1:4])
