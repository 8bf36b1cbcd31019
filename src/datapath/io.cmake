# The datapath's I/O shell: the TUN device and its virtio-net offloads,
# policy routing into it, and the outer UDP / raw ESP sockets. No crypto.
# Included from src/datapath/CMakeLists.txt.
add_library(fwp_dpio STATIC
	${CMAKE_CURRENT_LIST_DIR}/csum.c
	${CMAKE_CURRENT_LIST_DIR}/rtnl.c
	${CMAKE_CURRENT_LIST_DIR}/steer.c
	${CMAKE_CURRENT_LIST_DIR}/tun.c
	${CMAKE_CURRENT_LIST_DIR}/udp_io.c
	${CMAKE_CURRENT_LIST_DIR}/vnet.c)
target_include_directories(fwp_dpio PUBLIC ${CMAKE_CURRENT_LIST_DIR}/..)
target_link_libraries(fwp_dpio PUBLIC PkgConfig::MNL Threads::Threads)
