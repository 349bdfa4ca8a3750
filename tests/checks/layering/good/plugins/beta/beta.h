int beta(void);
