#include "../alpha/alpha.h"
#include "beta.h"

int beta(void)
{
    return alpha();
}
