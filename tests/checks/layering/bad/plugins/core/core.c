#include "../alpha/alpha.h"

int core(void)
{
    return alpha();
}
