/*
 * ST's virtual UART API for ampsim, on the real OpenAMP: each UART is an endpoint announced
 * as "rpmsg-tty", which Linux (and ampsim's host) serves as /dev/ttyRPMSGn.
 */
#include "virt_uart.h"

#include <stddef.h>

#define RPMSG_SERVICE_NAME "rpmsg-tty"

static int VIRT_UART_read_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
			     void *priv)
{
	(void)src;
	(void)priv;
	VIRT_UART_HandleTypeDef *huart = metal_container_of(ept, VIRT_UART_HandleTypeDef, ept);
	huart->pRxBuffPtr = data;
	huart->RxXferSize = (uint32_t)len;
	if (huart->RxCpltCallback)
		huart->RxCpltCallback(huart);
	return RPMSG_SUCCESS;
}

VIRT_UART_StatusTypeDef VIRT_UART_Init(VIRT_UART_HandleTypeDef *huart)
{
	if (!huart)
		return VIRT_UART_ERROR;
	huart->RxCpltCallback = NULL;
	int rc = OPENAMP_create_endpoint(&huart->ept, RPMSG_SERVICE_NAME, RPMSG_ADDR_ANY,
					 VIRT_UART_read_cb, NULL);
	return rc < 0 ? VIRT_UART_ERROR : VIRT_UART_OK;
}

VIRT_UART_StatusTypeDef VIRT_UART_DeInit(VIRT_UART_HandleTypeDef *huart)
{
	if (!huart)
		return VIRT_UART_ERROR;
	OPENAMP_destroy_ept(&huart->ept);
	return VIRT_UART_OK;
}

VIRT_UART_StatusTypeDef
VIRT_UART_RegisterCallback(VIRT_UART_HandleTypeDef *huart, VIRT_UART_CallbackIDTypeDef CallbackID,
			   void (*pCallback)(VIRT_UART_HandleTypeDef *_huart))
{
	if (!huart || CallbackID != VIRT_UART_RXCPLT_CB_ID)
		return VIRT_UART_ERROR;
	huart->RxCpltCallback = pCallback;
	return VIRT_UART_OK;
}

VIRT_UART_StatusTypeDef VIRT_UART_Transmit(VIRT_UART_HandleTypeDef *huart, const void *pData,
					   uint16_t Size)
{
	if (!huart || (!pData && Size))
		return VIRT_UART_ERROR;
	return OPENAMP_send(&huart->ept, pData, Size) < 0 ? VIRT_UART_ERROR : VIRT_UART_OK;
}
