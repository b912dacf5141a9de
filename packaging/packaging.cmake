# Install layout and deb/rpm packaging. (Placeholder: filled in by the packaging work.)
include(GNUInstallDirs)
install(TARGETS execmond RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/config/execmond.yaml DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/execmond)
