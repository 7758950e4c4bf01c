/* A statically linked program: LD_PRELOAD cannot reach it, so `ampsim exec` refuses it. */
#include <stdio.h>

int main(void)
{
	puts("a static program ran");
	return 0;
}
