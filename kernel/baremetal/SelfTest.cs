using Micro.BareMetal.Platform;

namespace Micro.BareMetal;

/// <summary>Boot-time checks of the platform pieces, each printing one line the tests look for.</summary>
internal static unsafe class SelfTest
{
    public static void PageAllocator(PageAllocator pages)
    {
        const int Count = 64;
        ulong before = pages.FreeFrames;
        var frames = new ulong[Count];
        for (int i = 0; i < Count; i++)
        {
            ulong f = pages.Allocate();
            if (f == 0 || (f & (Platform.PageAllocator.PageSize - 1)) != 0 || *(ulong*)f != 0)
                Panic.Halt("page allocator returned a bad frame");
            for (int j = 0; j < i; j++)
            {
                if (frames[j] == f)
                    Panic.Halt("page allocator returned a frame twice");
            }
            *(ulong*)f = 0xA5A5A5A5A5A5A5A5;
            frames[i] = f;
        }
        for (int i = 0; i < Count; i++)
        {
            if (!pages.Free(frames[i]))
                Panic.Halt("page allocator refused a valid free");
        }
        if (pages.Free(frames[0]) || pages.Free(frames[0] + 8) || pages.Free(0x1000))
            Panic.Halt("page allocator accepted a bad free");
        if (pages.FreeFrames != before)
            Panic.Halt("page allocator lost frames");
        Serial.Write("micro: page allocator ok: ");
        Serial.WriteDec(pages.FreeFrames);
        Serial.Write(" free of ");
        Serial.WriteDec(pages.TotalFrames);
        Serial.WriteLine(" frames");
    }

    public static void Timer()
    {
        Lapic.StartTimer(100000);
        Cpu.EnableInterrupts();
        for (int i = 0; i < 100000 && Lapic.Ticks < 3; i++)
            Cpu.Halt();
        Cpu.DisableInterrupts();
        Lapic.StopTimer();
        if (Lapic.Ticks < 3)
            Panic.Halt("LAPIC timer does not tick");
        Serial.Write("micro: lapic timer ok: ");
        Serial.WriteDec(Lapic.Ticks);
        Serial.WriteLine(" ticks");
    }
}
