#pragma once
#include <vector>

void init(int N, std::vector<int> A);
void update(int i, int x);
long long best(int l, int r);
