#include "base/util.h"
int net_send(const char *s);
