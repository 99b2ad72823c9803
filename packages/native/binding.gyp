{
  "targets": [
    {
      "target_name": "moodlens_native",
      "sources": ["src/addon.cc", "src/network.cc", "src/plan.cc", "src/fma_probe.cc"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp", "-march=x86-64-v2"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
