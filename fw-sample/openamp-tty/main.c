/*
 * openamp-tty: the application part of ST's OpenAMP_TTY_echo, on ST's virtual UART API
 * (virt_uart.h) over the real OpenAMP: two virtual UARTs (Linux: /dev/ttyRPMSG0 and
 * /dev/ttyRPMSG1), each received message copied in the receive callback and sent back from
 * the main loop. The board's HAL initialisation is the only part left out; the glue under
 * it (fw-sample/port/openamp) is ampsim's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openamp.h"
#include "virt_uart.h"

#define MAX_BUFFER_SIZE RPMSG_BUFFER_SIZE

typedef enum { RESET = 0, SET = !RESET } FlagStatus;
#define __IO volatile

VIRT_UART_HandleTypeDef huart0;
VIRT_UART_HandleTypeDef huart1;

__IO FlagStatus VirtUart0RxMsg = RESET;
uint8_t VirtUart0ChannelBuffRx[MAX_BUFFER_SIZE];
uint16_t VirtUart0ChannelRxSize = 0;

__IO FlagStatus VirtUart1RxMsg = RESET;
uint8_t VirtUart1ChannelBuffRx[MAX_BUFFER_SIZE];
uint16_t VirtUart1ChannelRxSize = 0;

void VIRT_UART0_RxCpltCallback(VIRT_UART_HandleTypeDef *huart);
void VIRT_UART1_RxCpltCallback(VIRT_UART_HandleTypeDef *huart);

static void Error_Handler(const char *what)
{
	fprintf(stderr, "openamp-tty: %s failed\n", what);
	exit(1);
}

int main(void)
{
	if (MX_OPENAMP_Init(RPMSG_REMOTE, NULL) != 0)
		Error_Handler("MX_OPENAMP_Init");
	if (VIRT_UART_Init(&huart0) != VIRT_UART_OK)
		Error_Handler("VIRT_UART_Init UART0");
	if (VIRT_UART_Init(&huart1) != VIRT_UART_OK)
		Error_Handler("VIRT_UART_Init UART1");
	if (VIRT_UART_RegisterCallback(&huart0, VIRT_UART_RXCPLT_CB_ID,
				       VIRT_UART0_RxCpltCallback) != VIRT_UART_OK)
		Error_Handler("VIRT_UART_RegisterCallback UART0");
	if (VIRT_UART_RegisterCallback(&huart1, VIRT_UART_RXCPLT_CB_ID,
				       VIRT_UART1_RxCpltCallback) != VIRT_UART_OK)
		Error_Handler("VIRT_UART_RegisterCallback UART1");

	while (1) {
		OPENAMP_check_for_message();
		if (VirtUart0RxMsg) {
			VirtUart0RxMsg = RESET;
			VIRT_UART_Transmit(&huart0, VirtUart0ChannelBuffRx, VirtUart0ChannelRxSize);
		}
		if (VirtUart1RxMsg) {
			VirtUart1RxMsg = RESET;
			VIRT_UART_Transmit(&huart1, VirtUart1ChannelBuffRx, VirtUart1ChannelRxSize);
		}
	}
}

void VIRT_UART0_RxCpltCallback(VIRT_UART_HandleTypeDef *huart)
{
	/* copy the message: it is sent back to the host from the main loop */
	VirtUart0ChannelRxSize =
	    huart->RxXferSize < MAX_BUFFER_SIZE ? (uint16_t)huart->RxXferSize : MAX_BUFFER_SIZE - 1;
	memcpy(VirtUart0ChannelBuffRx, huart->pRxBuffPtr, VirtUart0ChannelRxSize);
	VirtUart0RxMsg = SET;
}

void VIRT_UART1_RxCpltCallback(VIRT_UART_HandleTypeDef *huart)
{
	VirtUart1ChannelRxSize =
	    huart->RxXferSize < MAX_BUFFER_SIZE ? (uint16_t)huart->RxXferSize : MAX_BUFFER_SIZE - 1;
	memcpy(VirtUart1ChannelBuffRx, huart->pRxBuffPtr, VirtUart1ChannelRxSize);
	VirtUart1RxMsg = SET;
}
