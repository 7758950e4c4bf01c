/*
 * ST's virtual UART (virt_uart.h of the STM32CubeMP1 middleware) for ampsim, written from
 * its public API on the real OpenAMP: one "rpmsg-tty" endpoint per UART (Linux:
 * /dev/ttyRPMSGn), received messages handed to the registered callback.
 */
#ifndef VIRT_UART_H_
#define VIRT_UART_H_

#include <stdint.h>

#include "openamp.h"

typedef enum { VIRT_UART_OK = 0x00U, VIRT_UART_ERROR = 0x01U } VIRT_UART_StatusTypeDef;

typedef enum { VIRT_UART_RXCPLT_CB_ID = 0x00U } VIRT_UART_CallbackIDTypeDef;

typedef struct __VIRT_UART_HandleTypeDef {
	struct rpmsg_endpoint ept;
	uint8_t *pRxBuffPtr; /* the received message, valid during the callback */
	uint32_t RxXferSize;
	void (*RxCpltCallback)(struct __VIRT_UART_HandleTypeDef *huart);
} VIRT_UART_HandleTypeDef;

VIRT_UART_StatusTypeDef VIRT_UART_Init(VIRT_UART_HandleTypeDef *huart);
VIRT_UART_StatusTypeDef VIRT_UART_DeInit(VIRT_UART_HandleTypeDef *huart);
VIRT_UART_StatusTypeDef
VIRT_UART_RegisterCallback(VIRT_UART_HandleTypeDef *huart, VIRT_UART_CallbackIDTypeDef CallbackID,
			   void (*pCallback)(VIRT_UART_HandleTypeDef *_huart));
VIRT_UART_StatusTypeDef VIRT_UART_Transmit(VIRT_UART_HandleTypeDef *huart, const void *pData,
					   uint16_t Size);

#endif /* VIRT_UART_H_ */
