/*
 * CRC-32 (IEEE 802.3), four bits at a time: a 16-entry table (64 bytes of flash) instead of
 * the usual 1 KiB one, because the samples must stay small on the Cortex-M4 and they
 * checksum at most a few buffers per second.
 */
#include <amp/fw_crc32.h>

static const uint32_t crc_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t amp_fw_crc32_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0Fu];
		crc = (crc >> 4) ^ crc_nibble[crc & 0x0Fu];
	}
	return crc;
}

uint32_t amp_fw_crc32(const void *data, size_t len)
{
	return amp_fw_crc32_final(amp_fw_crc32_update(AMP_FW_CRC32_INIT, data, len));
}
