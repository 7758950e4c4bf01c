/*
 * The umbrella include OpenAMP firmware applications use. ampsim provides the RPMsg
 * application API only (see docs/openamp-compat.md); the remoteproc/virtio/libmetal layers
 * are replaced by the ampsim port.
 */
#ifndef AMP_OPENAMP_OPEN_AMP_H
#define AMP_OPENAMP_OPEN_AMP_H

#include <openamp/rpmsg.h>

#endif /* AMP_OPENAMP_OPEN_AMP_H */
