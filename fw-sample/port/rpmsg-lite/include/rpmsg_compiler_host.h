/*
 * Forced in front of every RPMsg-Lite translation unit of a host build (-include), in place
 * of RPMsg-Lite's rpmsg_compiler.h: its GCC branch defines MEM_BARRIER() as the ARM "dsb"
 * instruction, with no branch for x86, so a host build does not assemble. Defining the
 * header's guard here makes its own copy a no-op; the rest is what its GCC branch defines.
 * The barrier is a full fence: the peer is another process on another core.
 */
#ifndef RPMSG_COMPILER_H_
#define RPMSG_COMPILER_H_

#define MEM_BARRIER() __atomic_thread_fence(__ATOMIC_SEQ_CST)

#ifndef RL_PACKED_BEGIN
#define RL_PACKED_BEGIN
#endif

#ifndef RL_PACKED_END
#define RL_PACKED_END __attribute__((__packed__))
#endif

#endif /* RPMSG_COMPILER_H_ */
