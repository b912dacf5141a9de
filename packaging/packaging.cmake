# Install layout and the deb/rpm packages (CPack). Included from the top
# CMakeLists.txt after the execmond target is defined.
#
#   cmake --install BUILD_DIR [--prefix /usr]   binary, unit, man page, config, examples
#   packaging/build-packages.sh BUILD_DIR       BUILD_DIR/packages/*.deb and *.rpm
#
# One source of truth: the version is PROJECT_VERSION (top CMakeLists.txt),
# the deb's library dependencies come from dpkg-shlibdeps and the rpm's from
# rpmbuild's automatic soname requirements (AutoReqProv), both read off the
# built binary.
#
# Files that differ between the formats are installed by per-format
# components, picked at cpack time (CPACK_PROJECT_CONFIG_FILE below):
#   execmond      everything common (binary, config, man page, examples, README)
#   unit          the unit in <prefix>/lib/systemd/system (plain installs only)
#   deb           the unit in /lib/systemd/system (Debian 12 keeps packaged
#                 units out of /usr/lib until the /usr-merge is finished;
#                 lintian flags /usr/lib/systemd/system there), copyright
#                 and changelog.gz in /usr/share/doc/execmond
#   rpm           the unit in /usr/lib/systemd/system (%{_unitdir}), the
#                 licence text in /usr/share/licenses/execmond
include(GNUInstallDirs)

set(EXECMOND_PACKAGE_CONTACT "execmond developers <dev@execmond.invalid>"
    CACHE STRING "Maintainer/packager of the deb and rpm packages")
set(EXECMOND_HOMEPAGE_URL "" CACHE STRING "Project home page for the packages' Homepage:/URL: fields")
# The daemon's built-in default is /etc/execmond/execmond.yaml, so the
# configuration goes to /etc whatever the prefix (stage with DESTDIR=).
set(EXECMOND_SYSCONFDIR "/etc" CACHE PATH "Directory holding execmond/execmond.yaml")

# The rpm's Release (the deb is a native package: its version is PROJECT_VERSION).
set(EXECMOND_RPM_RELEASE 1)

set(_pkg ${CMAKE_CURRENT_LIST_DIR})
set(_gen ${CMAKE_BINARY_DIR}/packaging)
file(MAKE_DIRECTORY ${_gen})

# ---- Generated documents: man page and Debian changelog, gzip -9n ----
# SOURCE_DATE_EPOCH, when set, fixes the changelog date (reproducible builds).
string(TIMESTAMP EXECMOND_PACKAGE_DATE_DEB "%a, %d %b %Y %H:%M:%S +0000" UTC)
string(TIMESTAMP EXECMOND_PACKAGE_DATE_RPM "%a %b %d %Y" UTC)
configure_file(${_pkg}/deb/changelog.in ${_gen}/changelog @ONLY)
configure_file(${_pkg}/rpm/changelog.in ${_gen}/rpm-changelog @ONLY)

find_program(EXECMOND_GZIP gzip REQUIRED)
# The man page's title line carries the version: set it to PROJECT_VERSION.
file(WRITE ${_gen}/man-version.cmake
     "file(READ \${IN} text)\n"
     "string(REGEX REPLACE \"(\\n\\\\.TH [^\\n]*\\\"execmond )[^\\\"]*\\\"\" \"\\\\1\${VERSION}\\\"\" text \"\${text}\")\n"
     "file(WRITE \${OUT} \"\${text}\")\n")
add_custom_command(
  OUTPUT ${_gen}/execmond.8.gz
  COMMAND ${CMAKE_COMMAND} -DIN=${CMAKE_SOURCE_DIR}/docs/execmond.8 -DOUT=${_gen}/execmond.8
          -DVERSION=${PROJECT_VERSION} -P ${_gen}/man-version.cmake
  COMMAND sh -c "${EXECMOND_GZIP} -9n <'${_gen}/execmond.8' >'${_gen}/execmond.8.gz'"
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/execmond.8 ${_gen}/man-version.cmake
  COMMENT "Compressing the man page execmond.8"
  VERBATIM)
add_custom_command(
  OUTPUT ${_gen}/changelog.gz
  COMMAND sh -c "${EXECMOND_GZIP} -9n <'${_gen}/changelog' >'${_gen}/changelog.gz'"
  DEPENDS ${_gen}/changelog
  COMMENT "Compressing the Debian changelog"
  VERBATIM)
add_custom_target(execmond_docs ALL DEPENDS ${_gen}/execmond.8.gz ${_gen}/changelog.gz)

# ---- Common files ----
install(TARGETS execmond RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR} COMPONENT execmond)
# The libraries civetweb loads for TLS (see the top CMakeLists.txt).
install(TARGETS execmond_civetweb_ssl execmond_civetweb_crypto
        LIBRARY DESTINATION ${EXECMOND_TLS_LIBDIR} COMPONENT execmond)
install(FILES ${CMAKE_SOURCE_DIR}/config/execmond.yaml
        DESTINATION ${EXECMOND_SYSCONFDIR}/execmond
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        COMPONENT execmond)
install(FILES ${_gen}/execmond.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT execmond)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT execmond)
# Example configurations, dashboards and rules, as found at configure time.
# (*.yml: the process-exporter rules file an example reads.)
file(GLOB _examples CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/config/examples/*.yaml
     ${CMAKE_SOURCE_DIR}/config/examples/*.yml)
file(GLOB _grafana CONFIGURE_DEPENDS ${_pkg}/grafana/*.json)
file(GLOB _prometheus CONFIGURE_DEPENDS ${_pkg}/prometheus/*.yml)
foreach(_kind IN ITEMS examples grafana prometheus)
  if(_${_kind})
    install(FILES ${_${_kind}} DESTINATION ${CMAKE_INSTALL_DATADIR}/execmond/${_kind}
            COMPONENT execmond)
  endif()
endforeach()

# ---- Per-format files ----
set(_unit ${CMAKE_SOURCE_DIR}/systemd/execmond.service)
install(FILES ${_unit} DESTINATION lib/systemd/system COMPONENT unit)
install(FILES ${_unit} DESTINATION /lib/systemd/system COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${_pkg}/deb/copyright ${_gen}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT deb EXCLUDE_FROM_ALL)
install(FILES ${_unit} DESTINATION lib/systemd/system COMPONENT rpm EXCLUDE_FROM_ALL)
install(FILES ${_pkg}/deb/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/licenses/execmond
        COMPONENT rpm EXCLUDE_FROM_ALL)

# ---- CPack: common ----
set(CPACK_PACKAGE_NAME execmond)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "execmond developers")
set(CPACK_PACKAGE_CONTACT "${EXECMOND_PACKAGE_CONTACT}")
if(EXECMOND_HOMEPAGE_URL)
  set(CPACK_PACKAGE_HOMEPAGE_URL "${EXECMOND_HOMEPAGE_URL}")  # deb Homepage:, rpm URL:
endif()
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Prometheus exporter for process lifecycle metrics (eBPF)")
set(CPACK_PACKAGE_DESCRIPTION
    "execmond traces every fork, execve and exit on the host with a CO-RE eBPF
program and serves, per program, how many processes it starts, how they end
(exit status, signal, core dump), how long they live and how many are alive,
as Prometheus metrics on port 9765. It runs as a hardened systemd service
with CAP_BPF and CAP_PERFMON and needs Linux 5.13 or newer with BTF.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)  # BUILD_DIR/packages
set(CPACK_GENERATOR "DEB;RPM")
set(CPACK_SOURCE_GENERATOR "")
set(CPACK_PROJECT_CONFIG_FILE ${_gen}/cpack-project.cmake)
# Pick the components of each format (see the top of this file).
file(WRITE ${_gen}/cpack-project.cmake
     "# Generated by packaging/packaging.cmake: components per package format.\n"
     "if(CPACK_GENERATOR STREQUAL \"DEB\")\n"
     "  set(CPACK_INSTALL_CMAKE_PROJECTS \"${CMAKE_BINARY_DIR};execmond;execmond;/;"
     "${CMAKE_BINARY_DIR};execmond;deb;/\")\n"
     "elseif(CPACK_GENERATOR STREQUAL \"RPM\")\n"
     "  set(CPACK_INSTALL_CMAKE_PROJECTS \"${CMAKE_BINARY_DIR};execmond;execmond;/;"
     "${CMAKE_BINARY_DIR};execmond;rpm;/\")\n"
     "endif()\n")

# ---- DEB ----
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # execmond_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: from the binary's NEEDED sonames via dpkg-shlibdeps (runtime
# library packages: libbpf1, libprometheus-cpp-*1.0, libyaml-cpp0.7, libre2-9,
# libspdlog1.10, libfmt9, libsystemd0, libcivetweb1, libc6, libstdc++6...).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)
# Maintainer scripts (the dh_installsystemd snippets, by hand) and the
# conffile list; 0755 scripts and 0644 conffiles as policy wants.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_pkg}/deb/conffiles;${_pkg}/deb/postinst;${_pkg}/deb/prerm;${_pkg}/deb/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

# ---- RPM (Fedora/RHEL-like systems) ----
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)  # execmond-<version>-<release>.<arch>.rpm
set(CPACK_RPM_PACKAGE_RELEASE ${EXECMOND_RPM_RELEASE})
set(CPACK_PACKAGE_RELOCATABLE OFF)  # /etc and the unit are at fixed places
# Packager: tag (CPack has no variable for it; rpmbuild takes %packager).
set(CPACK_RPM_SPEC_MORE_DEFINE "%define packager ${EXECMOND_PACKAGE_CONTACT}")
set(CPACK_RPM_PACKAGE_LICENSE "Apache-2.0 AND (LGPL-2.1-only OR BSD-2-Clause)")
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_PACKAGE_SUMMARY "${CPACK_PACKAGE_DESCRIPTION_SUMMARY}")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
# Requires: rpmbuild derives them from the binary's sonames (libbpf.so.1,
# libprometheus-cpp-core.so.1.0, ...), i.e. the libraries of the build host.
set(CPACK_RPM_PACKAGE_AUTOREQPROV yes)
set(CPACK_RPM_CHANGELOG_FILE ${_gen}/rpm-changelog)
set(CPACK_RPM_USER_FILELIST
    "%config(noreplace) ${EXECMOND_SYSCONFDIR}/execmond/execmond.yaml"
    "%doc /usr/share/doc/execmond/README.md"
    "%license /usr/share/licenses/execmond/copyright")
# Directories other packages own (filesystem, systemd, man-db).
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /lib /usr/lib/systemd /usr/lib/systemd/system /usr/share/man /usr/share/man/man8
    /usr/share/licenses /usr/share/doc /usr/sbin)
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${_pkg}/rpm/post.sh)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${_pkg}/rpm/preun.sh)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${_pkg}/rpm/postun.sh)

include(CPack)
