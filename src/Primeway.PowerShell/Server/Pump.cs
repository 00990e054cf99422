using System;
using System.Collections.Concurrent;
using System.Threading.Tasks;

namespace Primeway.PowerShell.Server
{
    /// <summary>
    /// Async work runs off the pipeline thread; what it wants written (objects, progress, log lines) is queued
    /// here and run on the pipeline thread while the cmdlet waits, because PowerShell allows Write* only there.
    /// </summary>
    internal sealed class Pump
    {
        private readonly BlockingCollection<Action> queue = new BlockingCollection<Action>();

        /// <summary>From any thread: run <paramref name="action"/> on the pipeline thread.</summary>
        public void Post(Action action) => queue.Add(action);

        /// <summary>On the pipeline thread: runs posted actions until the task ends, then returns its result.</summary>
        public T Wait<T>(Task<T> task)
        {
            task.ContinueWith(_ => queue.Add(() => { }), TaskScheduler.Default);
            while (!task.IsCompleted)
            {
                if (queue.TryTake(out var action, TimeSpan.FromSeconds(1))) action();
            }
            while (queue.TryTake(out var rest)) rest();
            return task.GetAwaiter().GetResult();
        }

        public void Wait(Task task) => Wait(task.ContinueWith(t => { t.GetAwaiter().GetResult(); return true; }, TaskScheduler.Default));
    }
}
