#include "../include/net/net.h"
#include <net/net.h>

int net_send(const char *s)
{
    return (int)base_len(s);
}
