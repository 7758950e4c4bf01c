/* Where the echo firmware's vrings are (NXP's examples call it VDEV0_VRING_BASE): ampsim's
 * stm32mp157 profile, region vdev0vring0; vring1 follows one VRING_SIZE above. */
#ifndef RSC_TABLE_H_
#define RSC_TABLE_H_

#define VDEV0_VRING_BASE (0x10040000U)

#endif /* RSC_TABLE_H_ */
