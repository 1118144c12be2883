// Compile-time bomb: template recursion 10^6 deep. Expected: CE, quickly.
template <int N> struct Depth { static const int value = Depth<N - 1>::value + 1; };
template <> struct Depth<0> { static const int value = 0; };
int main() { return Depth<1000000>::value; }
