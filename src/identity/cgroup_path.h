// Pure functions that read labels out of a cgroup v2 path (as /proc/PID/cgroup
// shows it, or as CgroupResolver returns it: relative to the cgroup2 mount,
// starting with '/'). They look only at the text: no file system access.
#pragma once

#include <string>
#include <string_view>

namespace execmond {

// The systemd unit that owns a cgroup: the first component, counting from the
// root, that names a unit a process can live in (.service, .scope, .socket,
// .mount or .swap), provided that every component before it is a .slice, as
// systemd lays units out. Deeper units belong to a nested manager (user@.service,
// systemd inside a container) and are not reported: "/user.slice/user-1000.slice/
// user@1000.service/app.slice/foo.service" gives "user@1000.service". "" when the
// path has no such unit ("/", "/docker/<id>", "/kubepods/...", "/mygroup/x.service").
// Escaped names (\x2d) come back as they appear in the path.
std::string systemd_unit_of(std::string_view cgroup_path);

// The id (64 lowercase hex characters) of the container a cgroup belongs to, for
// the layouts of Docker, containerd/CRI, CRI-O and Podman with either cgroup
// driver; "" otherwise. Components are examined deepest first, so a nested
// container yields the innermost id and a cgroup below a container's (systemd
// inside it, podman's "/container") still yields the container. A component is
// a container when, after dropping a ".scope" suffix and one prefix of docker-,
// cri-containerd-, crio-, libpod- or containerd-, exactly 64 lowercase hex
// characters remain. Conmon monitor cgroups (crio-conmon-<id>, libpod-conmon-<id>,
// and the "conmon" of Podman's cgroupfs driver) are not the container: a path
// that reaches one gives "".
std::string container_id_of(std::string_view cgroup_path);

}  // namespace execmond
