#ifndef GATEHOUSE_CIDN2_SHIM_H
#define GATEHOUSE_CIDN2_SHIM_H
#include <idn2.h>
#endif
