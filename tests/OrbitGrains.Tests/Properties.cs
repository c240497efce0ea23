// Each test class starts real silos; two at a time keeps a 2-core machine responsive.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
