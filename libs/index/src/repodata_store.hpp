#pragma once
// The storage behind a Repodata: stable arenas for copied strings and string lists, a small
// open-addressing table from string_view to index, and the record set with its name index.
// Everything here is private to the index layer.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/index/repodata.hpp"

namespace envsmith::index::detail {

/// Asks the kernel to map `[begin, begin + bytes)` (whole pages inside it) before it is
/// written: one call instead of a page fault per 4 KiB. On virtual machines a first touch of
/// memory is expensive (1-25 ms per MB measured on the shared bench VM, 2-10x less when
/// populated in one call). A no-op where MADV_POPULATE_WRITE (Linux 5.14) is unknown or
/// refused.
void prefault(void* begin, std::size_t bytes) noexcept;

/// Reserves `capacity` bytes in the empty string `text` and, for large texts on Linux, marks
/// the whole 2 MiB ranges inside the new buffer MADV_HUGEPAGE and maps them at once (glibc
/// gives blocks this large their own mapping, so the advice reaches only this buffer and
/// ends when it is freed). Used for repodata texts and decompressed bodies.
inline constexpr std::size_t huge_text_threshold = std::size_t{8} << 20;
void reserve_text(std::string& text, std::size_t capacity);

/// Memory for the big arrays (records, notes, list blocks): on Linux a private anonymous
/// mapping aligned to 2 MiB and marked MADV_HUGEPAGE, so that with transparent huge pages
/// in `madvise` mode (the usual default) a first touch or a prefault maps 2 MiB at a time
/// instead of 4 KiB (on the bench VM populating 128 MB took ~45 ms in huge pages and
/// 480-1,800 ms in small ones). Elsewhere, or below `huge_threshold` (so a small repodata
/// does not hold a whole 2 MiB page per array), plain operator new. Throws std::bad_alloc.
/// `release_pages` must get the same `bytes`.
inline constexpr std::size_t huge_page_size = std::size_t{2} << 20;
inline constexpr std::size_t huge_threshold = huge_page_size;
void* allocate_pages(std::size_t bytes);
void release_pages(void* block, std::size_t bytes) noexcept;

/// A std::allocator that takes big arrays from allocate_pages.
template <class T>
struct PageAllocator {
    using value_type = T;
    PageAllocator() noexcept = default;
    template <class U>
    PageAllocator(const PageAllocator<U>& /*other*/) noexcept {}  // NOLINT: converting

    T* allocate(std::size_t n) {
        if (n > SIZE_MAX / sizeof(T)) {
            throw std::bad_array_new_length();
        }
        return static_cast<T*>(allocate_pages(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept { release_pages(p, n * sizeof(T)); }

    template <class U>
    bool operator==(const PageAllocator<U>& /*other*/) const noexcept {
        return true;
    }
};

/// Copies of strings with stable addresses (blocks are never moved or freed until the arena
/// dies). For unescaped JSON strings and for records added through RepodataBuilder.
class StringArena {
public:
    std::string_view copy(std::string_view text) {
        if (text.empty()) {
            return {};
        }
        if (text.size() > m_left) {
            const std::size_t size = text.size() > block_size / 4 ? text.size() : block_size;
            m_blocks.push_back(std::unique_ptr<char[]>(new char[size]));  // no zero-fill
            m_next = m_blocks.back().get();
            m_left = size;
        }
        char* out = m_next;
        std::memcpy(out, text.data(), text.size());
        m_next += text.size();
        m_left -= text.size();
        return {out, text.size()};
    }

private:
    static constexpr std::size_t block_size = 64 * 1024;
    std::vector<std::unique_ptr<char[]>> m_blocks;
    char* m_next = nullptr;
    std::size_t m_left = 0;
};

/// Lists of string_views (depends, constrains, track_features) with stable addresses, so a
/// record's spans stay valid while more records are added.
class ListArena {
public:
    std::span<const std::string_view> store(std::span<const std::string_view> items) {
        if (items.empty()) {
            return {};
        }
        if (items.size() > m_left) {
            // The first block is 1 MiB (ordinary pages), later ones one huge page each.
            const std::size_t block = m_blocks.empty() ? first_block_items : block_items;
            const std::size_t size = items.size() > block / 4 ? items.size() : block;
            // Raw storage, prefaulted, then written item by item.
            const std::size_t bytes = size * sizeof(std::string_view);
            m_blocks.reserve(m_blocks.size() + 1);
            m_blocks.push_back(Block(allocate_pages(bytes), BlockDeleter{bytes}));
            prefault(m_blocks.back().get(), bytes);
            m_next = static_cast<std::string_view*>(m_blocks.back().get());
            m_left = size;
        }
        std::string_view* out = m_next;
        std::uninitialized_copy(items.begin(), items.end(), out);
        m_next += items.size();
        m_left -= items.size();
        return {out, items.size()};
    }

private:
    static constexpr std::size_t first_block_items = (1U << 20) / sizeof(std::string_view);
    static constexpr std::size_t block_items = huge_page_size / sizeof(std::string_view);
    struct BlockDeleter {
        std::size_t bytes = 0;
        void operator()(void* block) const noexcept { release_pages(block, bytes); }
    };
    using Block = std::unique_ptr<void, BlockDeleter>;
    std::vector<Block> m_blocks;
    std::string_view* m_next = nullptr;
    std::size_t m_left = 0;
};

/// A fast non-cryptographic hash of a short string (names, file names, dependency specs).
inline std::uint64_t hash_bytes(std::string_view text) noexcept {
    std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ text.size();
    const char* p = text.data();
    std::size_t n = text.size();
    while (n >= 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, p, 8);
        h = (h ^ word) * 0xbf58476d1ce4e5b9ULL;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    if (n > 0) {
        std::uint64_t word = 0;
        std::memcpy(&word, p, n);
        h = (h ^ word) * 0x94d049bb133111ebULL;
        h ^= h >> 29;
    }
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 32);
}

/// Open addressing (linear probing) from a string_view to a uint32. The keys are not
/// copied: they must outlive the table.
class ViewTable {
public:
    ViewTable() = default;
    explicit ViewTable(std::size_t expected) { reserve(expected); }

    void reserve(std::size_t expected) {
        std::size_t capacity = 16;
        while (capacity < expected * 2) {
            capacity *= 2;
        }
        if (capacity > m_slots.size()) {
            rehash(capacity);
        }
    }

    /// The value stored for `key`, or `value` newly stored; `.second` tells which.
    std::pair<std::uint32_t, bool> insert(std::string_view key, std::uint32_t value) {
        if ((m_size + 1) * 2 > m_slots.size()) {
            rehash(m_slots.empty() ? 16 : m_slots.size() * 2);
        }
        const std::uint64_t hash = hash_bytes(key);
        std::size_t i = static_cast<std::size_t>(hash) & (m_slots.size() - 1);
        for (;;) {
            Slot& slot = m_slots[i];
            if (!slot.used) {
                slot = Slot{key.data(), static_cast<std::uint32_t>(key.size()), value, hash, true};
                ++m_size;
                return {value, true};
            }
            if (slot.hash == hash && slot.size == key.size() &&
                std::memcmp(slot.data, key.data(), key.size()) == 0) {
                return {slot.value, false};
            }
            i = (i + 1) & (m_slots.size() - 1);
        }
    }

    /// The value stored for `key`, or nullptr.
    [[nodiscard]] const std::uint32_t* find(std::string_view key) const noexcept {
        if (m_size == 0) {
            return nullptr;
        }
        const std::uint64_t hash = hash_bytes(key);
        std::size_t i = static_cast<std::size_t>(hash) & (m_slots.size() - 1);
        for (;;) {
            const Slot& slot = m_slots[i];
            if (!slot.used) {
                return nullptr;
            }
            if (slot.hash == hash && slot.size == key.size() &&
                std::memcmp(slot.data, key.data(), key.size()) == 0) {
                return &slot.value;
            }
            i = (i + 1) & (m_slots.size() - 1);
        }
    }

    [[nodiscard]] std::size_t size() const noexcept { return m_size; }

private:
    struct Slot {
        const char* data = nullptr;
        std::uint32_t size = 0;
        std::uint32_t value = 0;
        std::uint64_t hash = 0;
        bool used = false;
    };

    void rehash(std::size_t capacity) {
        std::vector<Slot> old = std::move(m_slots);
        m_slots.assign(capacity, Slot{});
        for (const Slot& slot : old) {
            if (!slot.used) {
                continue;
            }
            std::size_t i = static_cast<std::size_t>(slot.hash) & (capacity - 1);
            while (m_slots[i].used) {
                i = (i + 1) & (capacity - 1);
            }
            m_slots[i] = slot;
        }
    }

    std::vector<Slot> m_slots;
    std::size_t m_size = 0;
};

/// What finish_store needs to know of each record, noted while the record's bytes are still
/// in cache (a conda-forge repodata is far larger than the caches, so a second pass over the
/// names and file names would miss on every record).
struct RecordNote {
    enum class Kind : std::uint8_t { other, conda, tar_bz2 };
    std::uint64_t stem_hash = 0;  // hash_bytes of fn without `.conda` / `.tar.bz2`
    std::uint32_t group = 0;      // index into Store::groups
    Kind kind = Kind::other;
};

/// Everything a Repodata owns. Never moves once built (it lives behind a unique_ptr), so
/// views into `json`, `info` and the arenas stay valid.
struct Store {
    std::string json;  // the parsed text; records' views point into it
    RepodataInfo info;
    std::string download_base;  // base_url or the subdir URL, ending in '/'; or empty
    std::vector<CondaRecord, PageAllocator<CondaRecord>> records;
    std::vector<std::string_view> removed;
    std::vector<std::string_view> names;  // first-seen order (Repodata::names sorts); copies in `strings`
    struct Group {
        std::uint32_t offset = 0;
        std::uint32_t count = 0;
    };
    std::vector<Group> groups;                // per name, in first-seen order
    std::vector<std::uint32_t> name_indices;  // record indices, grouped
    ViewTable by_name;                        // lowercase name -> group
    StringArena strings;
    ListArena lists;

    // Only while building:
    std::vector<RecordNote, PageAllocator<RecordNote>> notes;  // one per record
    std::string_view last_name;     // the previous record's name, and its group
    std::uint32_t last_group = UINT32_MAX;

    /// Notes the record just appended to `records`.
    void note_last_record();
};

/// Applies the `.conda` preference, fills record subdirs, and builds the name index.
void finish_store(Store& store);

/// `base_url` resolved against `subdir_url` (RFC 3986 reference resolution), or `base_url`
/// unchanged when it is absolute or `subdir_url` is empty.
std::string resolve_url(std::string_view base_url, std::string_view subdir_url);

}  // namespace envsmith::index::detail
