/*
 * CRC-32 as used by the sample firmware's frames and buffers: the IEEE 802.3 / zlib CRC
 * (reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF), so a host can
 * check it with zlib's crc32() or Python's binascii.crc32(). Check value: "123456789" ->
 * 0xCBF43926.
 */
#ifndef AMP_FW_CRC32_H
#define AMP_FW_CRC32_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Initial running value for amp_fw_crc32_update(). */
#define AMP_FW_CRC32_INIT 0xFFFFFFFFu

/**
 * Feed @p len bytes into a running CRC (start from AMP_FW_CRC32_INIT, finish with
 * amp_fw_crc32_final()). Pure, reentrant; @p data may be NULL only when @p len is 0.
 */
uint32_t amp_fw_crc32_update(uint32_t crc, const void *data, size_t len);

/** Finish a running CRC: the final XOR. */
static inline uint32_t amp_fw_crc32_final(uint32_t crc)
{
	return crc ^ 0xFFFFFFFFu;
}

/** CRC-32 of one buffer (update + final). */
uint32_t amp_fw_crc32(const void *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* AMP_FW_CRC32_H */
