#pragma once
#include <vector>

std::vector<int> lowest_ceilings(int N, std::vector<int> U, std::vector<int> V,
                                 std::vector<int> H, std::vector<int> S, std::vector<int> T);
