/**
 * The catalog's server state: types from the generated spec, query keys and reads, the
 * multipart writes, and the cache updates its Socket.IO events make (useCatalogSync).
 * Kept beside queries.ts/cache.ts so the catalog stays in one file of the api layer.
 */
import { keepPreviousData, queryOptions, useQueryClient } from '@tanstack/react-query'
import type { QueryClient } from '@tanstack/react-query'
import type { components, operations } from './openapi'
import { client, unwrap } from './client'
import { useSocketEvent } from '../socket'

type Schemas = components['schemas']

export type Product = Schemas['ProductOut']
export type ProductInput = Schemas['ProductIn']
export type ProductPatch = Schemas['ProductPatch']
export type ProductPage = Schemas['Page_ProductOut_']
export type Category = Schemas['CategoryOut']
export type CategoryInput = Schemas['CategoryIn']
export type CategoryPatch = Schemas['CategoryPatch']
export type ImportReport = Schemas['ProductImportReport']
export type ImportRow = Schemas['ImportRowOut']
export type ImportRefused = Schemas['ImportRefused']
type ImageUpload = Schemas['Body_setProductImage']
type CsvUpload = Schemas['Body_importProducts']

/** What the product list shows: search text, category, active filter, page. */
export type ProductFilter = NonNullable<operations['listProducts']['parameters']['query']>

export const catalogKeys = {
  all: ['catalog'] as const,
  categories: ['catalog', 'categories'] as const,
  /** every product list, whatever its filters */
  productLists: ['catalog', 'products'] as const,
  productList: (f: ProductFilter) => ['catalog', 'products', f] as const,
}

export const categoriesQuery = queryOptions({
  queryKey: catalogKeys.categories,
  queryFn: ({ signal }) => unwrap(client.GET('/api/categories', { signal })),
})

export const productsQuery = (filter: ProductFilter) =>
  queryOptions({
    queryKey: catalogKeys.productList(filter),
    queryFn: ({ signal }) => unwrap(client.GET('/api/products', { params: { query: filter }, signal })),
    // typing in the search box keeps the table on screen while the next answer comes
    placeholderData: keepPreviousData,
  })

function fileForm(file: File): FormData {
  const form = new FormData()
  form.append('file', file, file.name)
  return form
}

export function uploadProductImage(productId: number, file: File): Promise<Product> {
  return unwrap(
    client.PUT('/api/products/{product_id}/image', {
      params: { path: { product_id: productId } },
      // multipart: the browser sets the boundary
      body: fileForm(file) as unknown as ImageUpload,
    }),
  )
}

export function importProducts(file: File, dryRun: boolean): Promise<ImportReport> {
  return unwrap(
    client.POST('/api/products/import', {
      params: { query: { dryRun } },
      body: fileForm(file) as unknown as CsvUpload,
    }),
  )
}

/** The report inside a refused import's 422 (rows with errors), if that is what it is. */
export function refusedReport(body: unknown): ImportReport | null {
  if (body && typeof body === 'object' && 'report' in body) {
    return (body as ImportRefused).report ?? null
  }
  return null
}

export const EXPORT_URL = '/api/products/export.csv'

// ---------- cache ----------

function matches(p: Product, f: ProductFilter): boolean {
  if (f.categoryId != null && p.categoryId !== f.categoryId) return false
  if (f.active != null && p.active !== f.active) return false
  const q = f.q?.trim().toLowerCase()
  return !q || p.name.toLowerCase().includes(q) || p.sku.toLowerCase().includes(q)
}

/**
 * A product changed: replace it where it is shown. A list it now enters or leaves is
 * refetched (its order and total come from the server); lists that never showed it and
 * still do not are left alone.
 */
export function upsertProduct(qc: QueryClient, product: Product): void {
  for (const [key, page] of qc.getQueriesData<ProductPage>({ queryKey: catalogKeys.productLists })) {
    if (!page) continue
    const filter = (key[2] ?? {}) as ProductFilter
    const shown = page.items.some((p) => p.id === product.id)
    const belongs = matches(product, filter)
    if (shown && belongs) {
      qc.setQueryData<ProductPage>(key, {
        ...page,
        items: page.items.map((p) => (p.id === product.id ? product : p)),
      })
    } else if (shown || belongs) {
      void qc.invalidateQueries({ queryKey: key, exact: true })
    }
  }
  // Product counts per category may have moved.
  void qc.invalidateQueries({ queryKey: catalogKeys.categories })
}

export function removeProduct(qc: QueryClient, productId: number): void {
  for (const [key, page] of qc.getQueriesData<ProductPage>({ queryKey: catalogKeys.productLists })) {
    if (page?.items.some((p) => p.id === productId)) {
      void qc.invalidateQueries({ queryKey: key, exact: true })
    }
  }
  void qc.invalidateQueries({ queryKey: catalogKeys.categories })
}

export function upsertCategory(qc: QueryClient, category: Category): void {
  qc.setQueryData<Category[]>(catalogKeys.categories, (list) => {
    if (!list) return list
    const rest = list.filter((c) => c.id !== category.id)
    return [...rest, category].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name))
  })
}

/** Socket.IO events of the catalog (every logged-in console gets them). */
export function useCatalogSync(): void {
  const qc = useQueryClient()
  useSocketEvent<{ product?: Product }>('product:updated', (e) => {
    if (e?.product) upsertProduct(qc, e.product)
  })
  useSocketEvent<{ productId?: number }>('product:deleted', (e) => {
    if (e?.productId != null) removeProduct(qc, e.productId)
  })
  useSocketEvent<{ category?: Category }>('category:updated', (e) => {
    if (e?.category) upsertCategory(qc, e.category)
  })
  useSocketEvent<{ categoryId?: number }>('category:deleted', (e) => {
    if (e?.categoryId == null) return
    qc.setQueryData<Category[]>(catalogKeys.categories, (list) =>
      list?.filter((c) => c.id !== e.categoryId),
    )
  })
  // A CSV import changes many products at once: everything is read again.
  useSocketEvent('catalog:imported', () => {
    void qc.invalidateQueries({ queryKey: catalogKeys.all })
  })
}
